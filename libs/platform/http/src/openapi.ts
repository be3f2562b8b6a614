import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';

/** A request body documented from the zod schema the handler parses it with. */
export interface OpenApiBody {
  method: 'post' | 'put' | 'patch';
  /** OpenAPI path, e.g. "/v1/declarations/{id}/inspection-results". */
  path: string;
  /** Name under components.schemas. */
  name: string;
  schema: z.ZodType;
}

export interface OpenApiOptions {
  title: string;
  description: string;
  version: string;
  bodies?: readonly OpenApiBody[];
}

/**
 * OpenAPI at /docs (UI) and /docs-json, with bearer (API key) auth and request bodies from the same zod
 * schemas the service runs. Errors are documented as application/problem+json (RFC 9457).
 */
export function setupOpenApi(app: INestApplication, options: OpenApiOptions): void {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const schemas = ((document.components ??= {}).schemas ??= {});
  for (const body of options.bodies ?? []) {
    schemas[body.name] = z.toJSONSchema(body.schema, { target: 'openapi-3.0' }) as never;
    const operation = document.paths[body.path]?.[body.method];
    if (operation)
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${body.name}` } } },
      };
  }
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
