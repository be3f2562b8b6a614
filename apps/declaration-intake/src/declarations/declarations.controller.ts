import { fromIssue } from '@cic/intake-domain';
import {
  Body,
  Controller,
  Get,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ApiKeyGuard, CurrentPrincipal, mayActFor, type Principal, Roles } from '@cic/platform-auth';
import { ProblemException } from '@cic/platform-http';
import { ClearanceService } from './clearance.service';
import { DeclarationQueries } from './declaration.queries';
import { declarationSummary } from './declaration.view';
import { HttpGroupCommit } from './http-group-commit';

const ListQuery = z.object({
  status: z
    .enum(['AWAITING_DECISIONS', 'RELEASED', 'DOCUMENT_REVIEW', 'INSPECTION_REQUIRED', 'REFUSED', 'REJECTED'])
    .optional(),
  declarantCode: z.string().min(1).max(18).optional(),
  receivedFrom: z.iso.datetime({ offset: true }).optional(),
  receivedTo: z.iso.datetime({ offset: true }).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const InspectionResultBody = z.object({
  kind: z.enum(['PHYSICAL', 'DOCUMENT', 'SAMPLING']),
  lines: z
    .array(
      z.object({
        lineNo: z.number().int().min(1).max(999),
        outcome: z.enum(['PASS', 'FAIL']),
        findings: z.array(z.string().min(1).max(1000)).max(50).optional(),
      }),
    )
    .min(1)
    .max(999),
});

function parseOr422<T>(schema: z.ZodType<T>, input: unknown, title: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ProblemException(422, 'VALIDATION_FAILED', title, undefined, {
    errors: result.error.issues.map((i) => fromIssue(i, input)),
  });
}

@ApiTags('declarations')
@ApiBearerAuth()
@Controller('v1/declarations')
@UseGuards(ApiKeyGuard)
export class DeclarationsController {
  constructor(
    private readonly group: HttpGroupCommit,
    private readonly queries: DeclarationQueries,
    private readonly clearance: ClearanceService,
  ) {}

  /** 202 when accepted, 200 when the same declaration was already accepted, 409 on a reused localRef, 422 when invalid. */
  @Post()
  @Roles('declarant', 'operator', 'admin')
  async submit(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (!req.is('application/json') && !req.is('application/*+json')) {
      throw new ProblemException(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the declaration as application/json');
    }
    const declarantCode = (body as { declarant?: { code?: unknown } } | null)?.declarant?.code;
    if (typeof declarantCode === 'string' && !mayActFor(principal, declarantCode)) {
      throw new ProblemException(
        403,
        'DECLARANT_NOT_ALLOWED',
        'This key may not declare for that declarant',
        undefined,
        {
          errors: [
            {
              pointer: '/declarant/code',
              code: 'DECLARANT_NOT_ALLOWED',
              message: `this key may not declare for ${declarantCode}`,
              messageZh: '无权以该申报单位名义报检',
            },
          ],
        },
      );
    }
    const outcome = await this.group.submit(body);
    switch (outcome.kind) {
      case 'accepted':
        res.status(202).location(`/v1/declarations/${outcome.declaration.id}`);
        return declarationSummary(outcome.declaration);
      case 'duplicate':
        res.status(200).location(`/v1/declarations/${outcome.declaration.id}`);
        return declarationSummary(outcome.declaration);
      case 'conflict':
        throw new ProblemException(
          409,
          'LOCAL_REF_CONFLICT',
          'localRef already used for a different declaration',
          `declaration ${outcome.existing.id} already uses this localRef`,
          {
            declarationId: outcome.existing.id,
            errors: [
              {
                pointer: '/localRef',
                code: 'LOCAL_REF_CONFLICT',
                message: 'already used for a different declaration',
                messageZh: '该报检编号已用于其他报检内容',
              },
            ],
          },
        );
      case 'rejected':
        throw new ProblemException(
          outcome.code === 'BODY_TOO_LARGE' ? 413 : 422,
          outcome.code,
          outcome.message,
          undefined,
          {
            declarationId: outcome.declarationId,
            errors: outcome.errors,
          },
        );
    }
  }

  @Get()
  async list(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    const q = parseOr422(ListQuery, query, 'Invalid query');
    return this.queries.list(
      {
        status: q.status,
        declarantCode: q.declarantCode,
        receivedFrom: q.receivedFrom ? new Date(q.receivedFrom) : undefined,
        receivedTo: q.receivedTo ? new Date(q.receivedTo) : undefined,
        page: q.page,
        pageSize: q.pageSize,
      },
      principal,
    );
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return this.queries.get(id, principal);
  }

  /** Operators record an inspection result; it moves the declaration to RELEASED or REFUSED. */
  @Post(':id/inspection-results')
  @Roles('operator', 'admin')
  async inspectionResult(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const input = parseOr422(InspectionResultBody, body, 'Invalid inspection result');
    await this.clearance.recordInspectionResult(id, input, `${principal.role}:${principal.name}`);
    return this.queries.get(id, principal);
  }
}
