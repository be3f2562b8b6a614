import { ApiKeyGuard, CurrentPrincipal, type Principal, Roles } from '@cic/platform-auth';
import { parseOr400 } from '@cic/platform-http';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { certificateNumberParam, CorrectionBody, pageQuery, ReasonBody, UsccCode } from '../common/schemas';
import { CertificatesService } from './certificates.service';

const ListQuery = pageQuery({ exporterCode: UsccCode.optional(), declarationId: z.uuid().optional() });
/** Seconds a client is asked to wait for a PDF the worker has not rendered yet. */
const PDF_RETRY_AFTER_S = 2;

@ApiTags('certificates')
@ApiBearerAuth()
@Controller('v1/certificates')
@UseGuards(ApiKeyGuard)
export class CertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @Get()
  @Roles('declarant', 'operator', 'admin')
  @ApiOperation({ summary: 'Certificates, newest first; filters `exporterCode`, `declarationId`; `limit`' })
  list(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    return this.certificates.list(parseOr400(ListQuery, query, { title: 'Invalid query' }), principal);
  }

  @Get(':number')
  @Roles('declarant', 'operator', 'admin')
  @ApiOperation({
    summary: 'The signed certificate: {certificate, signature {alg: EdDSA, kid, value (base64url)}}',
    description:
      'The signature is Ed25519 over the RFC 8785 canonical JSON of `certificate` (UTF-8), by the key `kid` ' +
      'published at /.well-known/jwks.json: anyone can check it with the JSON and the JWKS alone.',
  })
  async get(@Param('number') number: string, @CurrentPrincipal() principal: Principal) {
    return this.certificates.signed(
      await this.certificates.visible(certificateNumberParam(number), principal),
    );
  }

  @Get(':number/pdf')
  @Roles('declarant', 'operator', 'admin')
  @ApiOperation({
    summary: 'The certificate as PDF (Form E / RCEP layout with a QR code of the verify URL)',
    description:
      'Rendered by the worker after issue: 202 with Retry-After until it is ready, then 200 application/pdf.',
  })
  async pdf(
    @Param('number') number: string,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const n = certificateNumberParam(number);
    const answer = await this.certificates.pdf(n, principal);
    if (!answer.ready) {
      res.status(202).setHeader('Retry-After', String(PDF_RETRY_AFTER_S));
      return { number: n, status: 'PENDING', detail: 'the PDF is being rendered; retry shortly' };
    }
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="${n}.pdf"`);
    res.send(answer.bytes);
    return undefined;
  }

  @Post(':number/corrections')
  @Roles('operator', 'admin')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Correct a certificate: issue a replacement (new number) that invalidates the original',
    description:
      'Body: {reason, consignee?, invoiceNumber?, transport? {portOfExit?, departureDate?}, items? [{itemNo, ' +
      'description}]}. The original becomes REPLACED, pointing to the replacement; the replacement keeps its ' +
      'validity. 409 for a certificate that is not VALID or has expired.',
  })
  async correct(
    @Param('number') number: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const n = certificateNumberParam(number);
    return this.certificates.correct(n, parseOr400(CorrectionBody, body), principal);
  }

  @Post(':number/revoke')
  @Roles('operator', 'admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke a certificate (body {reason}); verification reports REVOKED from then on',
  })
  async revoke(
    @Param('number') number: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const n = certificateNumberParam(number);
    return this.certificates.revoke(n, parseOr400(ReasonBody, body).reason, principal);
  }
}
