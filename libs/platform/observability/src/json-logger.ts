import type { LoggerService, LogLevel } from '@nestjs/common';
import { currentTrace } from './trace-context';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type JsonLogLevel = keyof typeof LEVELS;

const NEST_TO_JSON: Record<LogLevel, JsonLogLevel> = {
  verbose: 'debug',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'error',
};

/**
 * One JSON object per line on stdout, with the trace and correlation ids of the current work, so a line
 * can be found from a declaration id or a trace id. Implements Nest's LoggerService so framework logs
 * come out the same way.
 */
export class JsonLogger implements LoggerService {
  private readonly min: number;

  constructor(
    private readonly service: string,
    level: JsonLogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  ) {
    this.min = LEVELS[level];
  }

  log(message: unknown, ...optional: unknown[]): void {
    this.emit('info', message, optional);
  }
  error(message: unknown, ...optional: unknown[]): void {
    this.emit('error', message, optional);
  }
  warn(message: unknown, ...optional: unknown[]): void {
    this.emit('warn', message, optional);
  }
  debug(message: unknown, ...optional: unknown[]): void {
    this.emit('debug', message, optional);
  }
  verbose(message: unknown, ...optional: unknown[]): void {
    this.emit('debug', message, optional);
  }
  fatal(message: unknown, ...optional: unknown[]): void {
    this.emit('error', message, optional);
  }

  setLogLevels(levels: LogLevel[]): void {
    void levels.map((l) => NEST_TO_JSON[l]);
  }

  private emit(level: JsonLogLevel, message: unknown, optional: unknown[]): void {
    if (LEVELS[level] < this.min) return;
    const params = [...optional];
    // Nest passes the context (a class name) last.
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, service: this.service };
    if (context) entry['context'] = context;
    const trace = currentTrace();
    if (trace) {
      entry['traceId'] = trace.traceId;
      entry['spanId'] = trace.spanId;
      if (trace.correlationId) entry['correlationId'] = trace.correlationId;
    }
    if (message instanceof Error) {
      entry['msg'] = message.message;
      entry['err'] = { name: message.name, message: message.message, stack: message.stack };
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, message);
    } else {
      entry['msg'] = String(message);
    }
    for (const p of params) {
      if (p instanceof Error) entry['err'] = { name: p.name, message: p.message, stack: p.stack };
      else if (typeof p === 'string' && level === 'error') entry['stack'] = p;
      else if (typeof p === 'object' && p !== null) Object.assign(entry, p);
    }
    this.write(JSON.stringify(entry));
  }
}
