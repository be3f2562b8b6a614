import { CREDIT_TIERS } from '@cic/green-channel-domain';
import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { parseOr400, ProblemException } from '@cic/platform-http';
import { Body, Controller, Get, Headers, Param, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { EnterprisesService } from './enterprises.service';
import { pageQuery, VersionsQuery } from './paging';
import { canonicalEnterprise, EnterpriseBody, UsccCode, ZoneId } from './reference.schemas';
import { type Actor, expectedVersion } from './reference.sql';

const ListQuery = pageQuery({ tier: z.enum(CREDIT_TIERS).optional(), zone: ZoneId.optional() });
const CodeParam = z.strictObject({ code: UsccCode });

export const actorOf = (p: Principal): Actor => ({ name: p.name, keyId: p.keyId });

/** Parses the path's enterprise code (400 with pointer /code when it is no valid USCC). */
export const enterpriseCode = (code: string): string => parseOr400(CodeParam, { code }).code;

@ApiTags('reference data')
@ApiBearerAuth()
@Controller('v1/enterprises')
@UseGuards(ApiKeyGuard)
export class EnterprisesController {
  constructor(private readonly enterprises: EnterprisesService) {}

  @Get()
  @Roles('operator', 'admin')
  @ApiOperation({
    summary: 'Enterprises on file, by code',
    description:
      "Paged with `limit` (1-500, default 50) and either `cursor` (the previous page's `nextCursor`) or `offset`. Filters: `tier`, `zone` (a zone id).",
  })
  list(@Query() query: Record<string, unknown>) {
    return this.enterprises.list(parseOr400(ListQuery, query, { title: 'Invalid query' }));
  }

  @Get(':code')
  @Roles('operator', 'admin')
  @ApiOperation({ summary: 'One enterprise profile (ETag: its version)' })
  async get(@Param('code') code: string, @Res({ passthrough: true }) res: Response) {
    const enterprise = await this.enterprises.get(enterpriseCode(code));
    res.setHeader('ETag', `"${enterprise.version}"`);
    return enterprise;
  }

  @Put(':code')
  @Roles('admin')
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The version you read (ETag); 409 when it moved on',
  })
  @ApiOperation({
    summary: 'Create or replace an enterprise profile',
    description:
      '201 when created, 200 when replaced or unchanged. Optimistic concurrency with `If-Match` or a `version` field in the body (409 VERSION_CONFLICT on mismatch). Every zone in `zoneIds` must be on file.',
  })
  async put(
    @Param('code') rawCode: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const code = enterpriseCode(rawCode);
    const input = parseOr400(EnterpriseBody, body);
    if (input.code !== undefined && input.code !== code)
      throw new ProblemException(400, 'VALIDATION_FAILED', 'Invalid request', undefined, {
        errors: [
          {
            pointer: '/code',
            code: 'CODE_MISMATCH',
            message: `must be ${code} as in the path`,
            messageZh: '与路径中的代码不一致',
          },
        ],
      });
    const expected = expectedVersion(ifMatch, input.version);
    const { outcome, enterprise } = await this.enterprises.put(
      canonicalEnterprise(code, input),
      expected,
      actorOf(principal),
    );
    res.status(outcome === 'created' ? 201 : 200).setHeader('ETag', `"${enterprise.version}"`);
    if (outcome === 'created') res.location(`/v1/enterprises/${code}`);
    return enterprise;
  }

  @Get(':code/versions')
  @Roles('operator', 'admin')
  @ApiOperation({
    summary: "An enterprise's change log",
    description:
      'Each version: action, who (key name and id), when, before and after. Paged by `limit` and `cursor`.',
  })
  versions(@Param('code') code: string, @Query() query: Record<string, unknown>) {
    const q = parseOr400(VersionsQuery, query, { title: 'Invalid query' });
    return this.enterprises.versions(enterpriseCode(code), {
      limit: q.limit,
      afterVersion: Number(q.cursor ?? 0),
    });
  }
}
