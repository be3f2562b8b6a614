import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { certificateNumberParam } from '../common/schemas';
import { SigningKeys } from '../signing/signing-keys';
import { VerifyRateLimit } from './rate-limit';
import { CertificateVerification } from './verification';

/** Public endpoints (no API key): verification of a certificate and the published keys. */
@ApiTags('verification (public)')
@Controller()
export class VerifyController {
  constructor(
    private readonly verification: CertificateVerification,
    private readonly keys: SigningKeys,
  ) {}

  @Get('v1/certificates/:number/verify')
  @UseGuards(VerifyRateLimit)
  @ApiOperation({
    summary: 'Verify a certificate (public, rate-limited per client IP)',
    description:
      'Reports integrity (VALID when the Ed25519 signature verifies over the stored canonical content, else ' +
      'INVALID), status (VALID, REVOKED, REPLACED, EXPIRED) and issuer, each with a reason. 404 for a number ' +
      'never issued here; 429 with Retry-After past the rate limit.',
  })
  async verify(@Param('number') number: string, @Res({ passthrough: true }) res: Response) {
    const report = await this.verification.verify(certificateNumberParam(number));
    res.setHeader('Cache-Control', 'no-store');
    return report;
  }

  @Get('.well-known/jwks.json')
  @ApiOperation({
    summary:
      'The public signing keys (JWK Set, OKP/Ed25519), retired ones included so old certificates verify',
  })
  async jwks(@Res({ passthrough: true }) res: Response) {
    res.setHeader('Cache-Control', 'public, max-age=300');
    return this.keys.jwks();
  }
}
