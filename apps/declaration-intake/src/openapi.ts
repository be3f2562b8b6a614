import { InspectionDeclaration } from '@cic/contracts';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { InspectionResultBody } from './declarations/declarations.controller';

/** OpenAPI at /docs (UI) and /docs-json, with request bodies from the same zod schemas the service runs. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('declaration-intake')
    .setDescription(
      'Export inspection declarations: submission, status, clearance outcome, inspection results. Errors are application/problem+json (RFC 9457).',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const schemas = ((document.components ??= {}).schemas ??= {});
  schemas['InspectionDeclaration'] = z.toJSONSchema(InspectionDeclaration, {
    target: 'openapi-3.0',
  }) as never;
  schemas['InspectionResult'] = z.toJSONSchema(InspectionResultBody, { target: 'openapi-3.0' }) as never;
  const body = (ref: string) => ({
    required: true,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
  });
  const submit = document.paths['/v1/declarations']?.post;
  if (submit) submit.requestBody = body('InspectionDeclaration');
  const result = document.paths['/v1/declarations/{id}/inspection-results']?.post;
  if (result) result.requestBody = body('InspectionResult');
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
