import { z } from 'zod';
import { LOCAL_DEFAULTS } from './common-env';

/** Marks a variable as secret: it is never printed, not even in a validation error. */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ secret: true });
}

function isSecret(schema: z.ZodType | undefined): boolean {
  let s: z.ZodType | undefined = schema;
  while (s) {
    if (z.globalRegistry.get(s)?.['secret']) return true;
    const inner = (s as unknown as { def?: { innerType?: z.ZodType } }).def?.innerType;
    s = inner;
  }
  return false;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment once into a typed object. Each problem names the variable; a secret's
 * value never appears in the message.
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  // Empty strings mean "unset", so defaults apply to `FOO=` as they do to a missing FOO.
  const input: Record<string, string> = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
  // Outside production the local stack fills what is unset; production guesses no address.
  if ((input['NODE_ENV'] ?? 'development') !== 'production') {
    for (const [key, value] of Object.entries(LOCAL_DEFAULTS))
      if (key in schema.shape && input[key] === undefined) input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '(env)');
    const missing = issue.code === 'invalid_type' && input[name] === undefined;
    return missing ? `${name} is required` : `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/**
 * For entry points: on a bad environment print one line naming every offending variable and stop the
 * process (exit code 78, EX_CONFIG) before anything connects anywhere.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`config error: ${error.problems.join('; ')}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/** The configuration with secrets replaced by "***", safe to log at start-up. */
export function redactConfig<S extends z.ZodObject>(schema: S, config: z.infer<S>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    out[key] = isSecret(schema.shape[key] as z.ZodType | undefined) ? '***' : value;
  }
  return out;
}
