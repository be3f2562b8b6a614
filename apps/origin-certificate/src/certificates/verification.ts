import { isCertificateExpired, signingPayload } from '@cic/origin-domain';
import { ProblemException } from '@cic/platform-http';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SigningKeys } from '../signing/signing-keys';
import { CertificatesService } from './certificates.service';

export interface Finding<R extends string> {
  result: R;
  reason: string;
}

/** The public verification report of a certificate. */
export interface VerificationReport {
  number: string;
  checkedAt: string;
  /** VALID when the stored certificate's signature verifies over its canonical content. */
  integrity: Finding<'VALID' | 'INVALID'> & { kid: string };
  /** The certificate's standing: VALID, REVOKED, REPLACED (with the replacement) or EXPIRED. */
  status: Finding<'VALID' | 'REVOKED' | 'REPLACED' | 'EXPIRED'> & {
    validUntil: string;
    replacedBy?: string;
    replaces?: string;
  };
  /** Who issued it and with which key (KNOWN: one of this service's published keys). */
  issuer: Finding<'KNOWN' | 'UNKNOWN'> & {
    name?: string;
    country?: string;
    office?: string;
    kid: string;
    keyState?: 'ACTIVE' | 'RETIRED';
  };
  /** What the certificate says, for the verifier to compare with the paper or PDF in hand. */
  certificate?: {
    agreement: string;
    issueDate: string;
    exporter: string;
    consignee: string;
    importingCountry: string;
    items: Array<{ itemNo: number; hsCode: string; description: string; originCriterion: string }>;
  };
}

/**
 * Public verification (no key): integrity, status and issuer, each with its reason. Integrity is always
 * recomputed from what is stored: the RFC 8785 canonical form of the stored content, verified with the
 * published key named by the certificate, so content altered in the database verifies as INVALID.
 */
@Injectable()
export class CertificateVerification {
  constructor(
    private readonly db: DataSource,
    private readonly certificates: CertificatesService,
    private readonly keys: SigningKeys,
  ) {}

  async verify(number: string): Promise<VerificationReport> {
    const row = await this.certificates.find(this.db, number);
    if (!row)
      throw new ProblemException(
        404,
        'NOT_FOUND',
        'Unknown certificate',
        `no certificate ${number} was issued here`,
      );
    const content = row.content;
    const key = await this.keys.state(row.kid);

    let integrity: VerificationReport['integrity'];
    let verified: boolean | undefined;
    try {
      verified = await this.keys.verify(row.kid, signingPayload(content), row.signature);
    } catch (error) {
      verified = false;
      integrity = {
        result: 'INVALID',
        kid: row.kid,
        reason: `the stored content has no canonical form: ${(error as Error).message}`,
      };
    }
    integrity ??=
      verified === undefined
        ? { result: 'INVALID', kid: row.kid, reason: `key ${row.kid} is not a published key of this issuer` }
        : !verified
          ? {
              result: 'INVALID',
              kid: row.kid,
              reason: 'the signature does not match the certificate content: it was altered after signing',
            }
          : content?.number !== number
            ? {
                result: 'INVALID',
                kid: row.kid,
                reason: `the signed content is certificate ${String(content?.number)}, not ${number}`,
              }
            : {
                result: 'VALID',
                kid: row.kid,
                reason: `Ed25519 signature by key ${row.kid} verifies over the RFC 8785 canonical content`,
              };

    const today = this.certificates.today();
    const base = { validUntil: row.valid_until, ...(row.replaces ? { replaces: row.replaces } : {}) };
    const status: VerificationReport['status'] =
      row.status === 'REVOKED'
        ? {
            ...base,
            result: 'REVOKED',
            reason: `revoked on ${row.status_changed_at?.toISOString().slice(0, 10)}: ${row.status_reason}`,
          }
        : row.status === 'REPLACED'
          ? {
              ...base,
              result: 'REPLACED',
              replacedBy: row.replaced_by ?? undefined,
              reason: `replaced by certificate ${row.replaced_by} (correction: ${row.status_reason}); this one is no longer valid`,
            }
          : isCertificateExpired(row.valid_until, today)
            ? { ...base, result: 'EXPIRED', reason: `valid through ${row.valid_until}, expired` }
            : { ...base, result: 'VALID', reason: `issued and in force, valid through ${row.valid_until}` };

    const issuer: VerificationReport['issuer'] = key
      ? {
          result: 'KNOWN',
          name: content?.issuer?.name,
          country: content?.issuer?.country,
          office: row.office,
          kid: row.kid,
          keyState: key.active ? 'ACTIVE' : 'RETIRED',
          reason: key.active
            ? `signed with this issuer's current key ${row.kid}, published at /.well-known/jwks.json`
            : `signed with key ${row.kid}, retired on ${key.retiredAt?.slice(0, 10)} and still published at /.well-known/jwks.json for verification`,
        }
      : { result: 'UNKNOWN', kid: row.kid, reason: `key ${row.kid} is not published by this issuer` };

    return {
      number,
      checkedAt: new Date().toISOString(),
      integrity,
      status,
      issuer,
      ...(content && Array.isArray(content.items)
        ? {
            certificate: {
              agreement: content.agreement,
              issueDate: content.issueDate,
              exporter: content.exporter?.name,
              consignee: content.consignee?.name,
              importingCountry: content.importingCountry,
              items: content.items.map((i) => ({
                itemNo: i.itemNo,
                hsCode: i.hsCode,
                description: i.description,
                originCriterion: i.originCriterion,
              })),
            },
          }
        : {}),
    };
  }
}
