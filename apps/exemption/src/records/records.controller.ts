import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { Body, Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { actorOf, enterpriseCode, HsNotified, isoDate, multilineText, text } from '../common/schemas';
import { RecordsService } from './records.service';

export const CertificateBody = z
  .strictObject({
    standard: text(40).regex(
      /^[A-Za-z0-9][A-Za-z0-9 :._-]*$/,
      'a standard such as "ISO9001" or "ISO 9001:2015"',
    ),
    number: text(100),
    validFrom: isoDate,
    validUntil: isoDate,
  })
  .refine((c) => c.validUntil >= c.validFrom, {
    path: ['validUntil'],
    message: 'must not be before validFrom',
    params: { code: 'BEFORE_VALID_FROM', messageZh: '截止日期不得早于起始日期' },
  });

export const DisputeBody = z.strictObject({
  reference: text(100),
  occurredOn: isoDate,
  /** Without an HS code the dispute concerns all the enterprise's goods. */
  hsCode: HsNotified.optional(),
  detail: multilineText(2000).optional(),
});

export const NotificationBody = z.strictObject({
  reference: text(100),
  hsCode: HsNotified,
  /** Default: today at the office. */
  notifiedOn: isoDate.optional(),
  detail: multilineText(2000).optional(),
});

@ApiTags('enterprise record')
@ApiBearerAuth()
@Controller('v1/enterprises/:code')
@UseGuards(ApiKeyGuard)
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  @Get('exemption-record')
  @Roles('operator', 'admin')
  @ApiOperation({
    summary: 'What the exemption rules know of an enterprise',
    description:
      'Certificates, quality disputes, foreign notifications (with the grants each suspended) and inspection results per HS heading and year.',
  })
  get(@Param('code') code: string) {
    return this.records.record(enterpriseCode(code));
  }

  @Post('certificates')
  @Roles('admin')
  @ApiOperation({
    summary: 'Record a quality-management certificate (ISO 9001)',
    description:
      'Body: {standard, number, validFrom, validUntil}. 201 when new, 200 when the same standard and number was on file (its validity is replaced).',
  })
  async certificate(
    @Param('code') code: string,
    @Body() body: unknown,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const r = await this.records.putCertificate(
      enterpriseCode(code),
      parseOr400(CertificateBody, body),
      actorOf(p),
    );
    res.status(r.created ? 201 : 200);
    return r.certificate;
  }

  @Post('disputes')
  @Roles('admin')
  @ApiOperation({
    summary: 'Record a quality claim or dispute',
    description:
      'Body: {reference, occurredOn, hsCode? (2-10 digits; none: all goods), detail?}. A dispute in the clean-history window fails NO_QUALITY_DISPUTES of an application for an overlapping scope. 201 when new, 200 when the reference was on file.',
  })
  async dispute(
    @Param('code') code: string,
    @Body() body: unknown,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const r = await this.records.addDispute(enterpriseCode(code), parseOr400(DisputeBody, body), actorOf(p));
    res.status(r.created ? 201 : 200);
    return r.dispute;
  }

  @Post('foreign-notifications')
  @Roles('admin')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Record a foreign notification; suspends the grants it touches at once',
    description:
      'Body: {reference, hsCode (2-10 digits), notifiedOn?, detail?}. Every ACTIVE grant of the enterprise whose scope overlaps hsCode is SUSPENDED (grant-changed event). 201 when new; 200 with the notification on file when the reference is known (nothing suspended again).',
  })
  async notification(
    @Param('code') code: string,
    @Body() body: unknown,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const r = await this.records.addNotification(
      enterpriseCode(code),
      parseOr400(NotificationBody, body),
      actorOf(p),
    );
    res.status(r.created ? 201 : 200);
    return r.notification;
  }
}
