import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { Controller, HttpCode, Inject, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { GREEN_CHANNEL_CONFIG, type GreenChannelConfig } from '../config';
import { actorOf } from './enterprises.controller';
import { IMPORT_KINDS, MAX_IMPORT_ROWS, MAX_REPORTED_ERRORS } from './import-rows';
import { readImportBody } from './raw-body';
import { ReferenceImportService } from './reference-import.service';

const ImportQuery = z.strictObject({ kind: z.enum(IMPORT_KINDS) });

export const IMPORT_DESCRIPTION = `Bulk import of one kind of reference data, as \`text/csv\` (UTF-8, RFC 4180: a header row, fields
quoted with " when they hold commas, quotes or line breaks, CRLF or LF, an optional BOM) or \`application/json\` (an array
of the same objects as the REST bodies, with the key field: \`code\` for enterprises, \`id\` for zones, an optional \`id\` for risk alerts).

CSV columns (header names, any order; * required):
- enterprises: code*, name*, tier*, category* (1-4), annualExportsUsd* (decimal, e.g. 1250000.00), certifications
  (\`;\`-separated \`STANDARD:number:validFrom:validUntil\`, e.g. \`ISO9001:CN-Q-1:2024-01-01:2027-01-01;IATF16949:T-9:2025-01-01:2028-01-01\`),
  zoneIds (\`;\`-separated zone ids, each on file), historySince (YYYY-MM-DD or empty).
- zones: id*, name*, level* (PROVINCIAL | NATIONAL), industry*.
- risk-alerts: id (uuid; empty: matched on content, see below), hsPrefix* (4-10 digits), destinations (\`;\`-separated ISO alpha-2 codes,
  empty: any destination), validFrom* (YYYY-MM-DD), validUntil (YYYY-MM-DD or empty: open-ended), source* (FOREIGN_NOTIFICATION | TRADE_MEASURE), description*.

Every row is validated first: when any is bad the answer is 400 IMPORT_INVALID listing up to ${MAX_REPORTED_ERRORS} errors,
each with a pointer \`/rows/<n>/<field>\` (n counts data rows from 1; JSON: \`/<index>/<field>\`) and, for CSV, the \`line\` of the file,
and nothing is written. A valid file is applied in one transaction; each created or changed record gets a change-log entry
(action IMPORT) under one importId. Records that already say the same are counted unchanged; a risk alert without id is unchanged
when an alert with the same content is on file. At most ${MAX_IMPORT_ROWS} rows.`;

@ApiTags('reference data')
@ApiBearerAuth()
@Controller('v1/reference')
@UseGuards(ApiKeyGuard)
export class ReferenceImportController {
  private readonly maxBytes: number;

  constructor(
    private readonly imports: ReferenceImportService,
    @Inject(GREEN_CHANNEL_CONFIG) config: Pick<GreenChannelConfig, 'MAX_IMPORT_BYTES'>,
  ) {
    this.maxBytes = config.MAX_IMPORT_BYTES;
  }

  @Post('import')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Bulk import of enterprises, zones or risk alerts',
    description: IMPORT_DESCRIPTION,
  })
  @ApiQuery({ name: 'kind', enum: IMPORT_KINDS })
  @ApiConsumes('text/csv', 'application/json')
  @ApiBody({
    description: 'The CSV file or a JSON array of records',
    schema: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] },
  })
  async import(
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
  ) {
    const { kind } = parseOr400(ImportQuery, query, { title: 'Invalid query' });
    const body = await readImportBody(req, this.maxBytes);
    return this.imports.importBody(kind, body, actorOf(principal));
  }
}
