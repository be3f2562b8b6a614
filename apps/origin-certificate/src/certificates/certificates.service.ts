import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCertificateExpired, toOfficeDate } from '@cic/origin-domain';
import { mayActFor, type Principal } from '@cic/platform-auth';
import { ProblemException } from '@cic/platform-http';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { actorOf, type CorrectionBody } from '../common/schemas';
import { queryRows } from '../common/sql';
import { ORIGIN_CLOCK, ORIGIN_CONFIG, type OriginConfig } from '../config';
import type { CertificateContent } from '../issuance/certificate-content';
import { CertificateIssuer } from '../issuance/certificate-issuer';
import { reserveSerials } from '../issuance/registration';
import { certificateNumber } from '@cic/origin-domain';

/** A certificate as GET /v1/certificates/:number answers it: the content and its detached signature. */
export interface SignedCertificate {
  certificate: CertificateContent;
  signature: { alg: 'EdDSA'; kid: string; value: string };
}

export interface CertificateRow {
  number: string;
  exporter_code: string;
  office: string;
  content: CertificateContent;
  kid: string;
  signature: string;
  valid_until: string;
  status: 'VALID' | 'REVOKED' | 'REPLACED';
  status_reason: string | null;
  status_changed_at: Date | null;
  replaces: string | null;
  replaced_by: string | null;
}

export type PdfAnswer = { ready: true; bytes: Buffer } | { ready: false };

const COLUMNS = `number, exporter_code, office, content, kid, signature, valid_until::text AS valid_until, status,
  status_reason, status_changed_at, replaces, replaced_by`;

/** Certificates: read (signed), corrected (a replacement with a new number), revoked, their PDFs. */
@Injectable()
export class CertificatesService {
  private readonly schema: string;

  constructor(
    private readonly db: DataSource,
    private readonly issuer: CertificateIssuer,
    @Inject(ORIGIN_CONFIG) private readonly config: OriginConfig,
    @Inject(ORIGIN_CLOCK) private readonly clock: () => Date,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  today(): string {
    return toOfficeDate(this.clock(), this.config.OFFICE_TIME_ZONE);
  }

  async find(
    m: Pick<EntityManager, 'query'>,
    number: string,
    lock = false,
  ): Promise<CertificateRow | undefined> {
    const [row] = await queryRows<CertificateRow>(
      m,
      `SELECT ${COLUMNS} FROM "${this.schema}"."certificates" WHERE number = $1${lock ? ' FOR UPDATE' : ''}`,
      [number],
    );
    return row;
  }

  /** The certificate, if the principal may see it (a declarant: its own exporter codes); else 404. */
  async visible(number: string, principal: Principal): Promise<CertificateRow> {
    const row = await this.find(this.db, number);
    if (!row || !mayActFor(principal, row.exporter_code))
      throw new ProblemException(404, 'NOT_FOUND', 'Not found', `no certificate ${number}`);
    return row;
  }

  signed(row: CertificateRow): SignedCertificate {
    return { certificate: row.content, signature: { alg: 'EdDSA', kid: row.kid, value: row.signature } };
  }

  async list(
    q: { limit: number; exporterCode?: string; declarationId?: string },
    principal: Principal,
  ): Promise<{
    items: Array<{
      number: string;
      status: string;
      validUntil: string;
      replacedBy: string | null;
      agreement: string;
      issuedAt: string;
      exporterCode: string;
    }>;
  }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.exporterCode) where.push(`exporter_code = $${params.push(q.exporterCode)}`);
    if (q.declarationId) where.push(`declaration_id = $${params.push(q.declarationId)}`);
    if (principal.role === 'declarant')
      where.push(`exporter_code = ANY($${params.push(principal.declarantCodes)}::text[])`);
    const rows = await queryRows<{
      number: string;
      status: string;
      valid_until: string;
      replaced_by: string | null;
      agreement: string;
      issued_at: Date;
      exporter_code: string;
    }>(
      this.db,
      `SELECT number, status, valid_until::text AS valid_until, replaced_by, agreement, issued_at, exporter_code
         FROM "${this.schema}"."certificates" WHERE ${where.length ? where.join(' AND ') : 'true'}
        ORDER BY issued_at DESC, number LIMIT ${Number(q.limit)}`,
      params,
    );
    return {
      items: rows.map((r) => ({
        number: r.number,
        agreement: r.agreement,
        exporterCode: r.exporter_code,
        issuedAt: r.issued_at.toISOString(),
        validUntil: r.valid_until,
        status:
          r.status !== 'VALID'
            ? r.status
            : isCertificateExpired(r.valid_until, this.today())
              ? 'EXPIRED'
              : 'VALID',
        replacedBy: r.replaced_by,
      })),
    };
  }

  /** Marks a VALID certificate REVOKED (409 for one already revoked or replaced). */
  async revoke(number: string, reason: string, principal: Principal) {
    return this.db.transaction(async (m) => {
      const row = await this.find(m, number, true);
      if (!row) throw new ProblemException(404, 'NOT_FOUND', 'Not found', `no certificate ${number}`);
      this.assertValid(row, 'revoke');
      await m.query(
        `UPDATE "${this.schema}"."certificates"
            SET status = 'REVOKED', status_reason = $2, status_changed_at = now(), status_changed_by = $3
          WHERE number = $1`,
        [number, reason, actorOf(principal)],
      );
      return { number, status: 'REVOKED', reason };
    });
  }

  /**
   * Issues a replacement with a new number (same office, this year's next serial, the original's validity)
   * carrying the corrections, and marks the original REPLACED pointing to it, in one transaction.
   */
  async correct(number: string, body: CorrectionBody, principal: Principal): Promise<SignedCertificate> {
    return this.db.transaction(async (m) => {
      const row = await this.find(m, number, true);
      if (!row) throw new ProblemException(404, 'NOT_FOUND', 'Not found', `no certificate ${number}`);
      this.assertValid(row, 'correct');
      if (isCertificateExpired(row.valid_until, this.today()))
        throw new ProblemException(
          409,
          'CERTIFICATE_EXPIRED',
          'Certificate expired',
          `${number} expired after ${row.valid_until}`,
        );
      const original = row.content;
      for (const item of body.items ?? [])
        if (item.itemNo > original.items.length)
          throw new ProblemException(400, 'VALIDATION_FAILED', 'Invalid request', undefined, {
            errors: [
              {
                pointer: `/items/${(body.items ?? []).indexOf(item)}/itemNo`,
                code: 'UNKNOWN_ITEM',
                message: `the certificate has ${original.items.length} items`,
                messageZh: `证书共${original.items.length}项`,
              },
            ],
          });
      const now = this.clock();
      const issueDate = toOfficeDate(now, this.config.OFFICE_TIME_ZONE);
      const year = Number(issueDate.slice(0, 4));
      const [block] = await reserveSerials(m, this.schema, [{ office: row.office, year, count: 1 }]);
      if (!block)
        throw new ProblemException(
          409,
          'CERTIFICATE_SERIAL_EXHAUSTED',
          'No serial left',
          `office ${row.office} has used every serial of ${year}`,
        );
      const made = certificateNumber({
        agreement: original.agreement,
        year: issueDate.slice(2, 4),
        office: row.office,
        enterprise: number.slice(7, 12),
        serial: block.first,
      });
      if (!made.ok)
        throw new ProblemException(409, made.error.code, 'Cannot number the replacement', made.error.message);
      const descriptions = new Map((body.items ?? []).map((i) => [i.itemNo, i.description]));
      const invoiceNumber = body.invoiceNumber;
      const replacement: CertificateContent = {
        ...original,
        number: made.number,
        issuedAt: now.toISOString(),
        issueDate,
        consignee: body.consignee
          ? {
              name: body.consignee.name,
              ...(body.consignee.address ? { address: body.consignee.address } : {}),
            }
          : original.consignee,
        transport: {
          ...original.transport,
          ...(body.transport?.portOfExit ? { portOfExit: body.transport.portOfExit } : {}),
          ...(body.transport?.departureDate ? { departureDate: body.transport.departureDate } : {}),
        },
        items: original.items.map((item) => ({
          ...item,
          description: descriptions.get(item.itemNo) ?? item.description,
          invoiceNumber: invoiceNumber ?? item.invoiceNumber,
        })),
        replaces: { number, reason: body.reason },
        verifyUrl: this.issuer.verifyUrl(made.number),
      };
      await this.issuer.store(m, [replacement]);
      await m.query(
        `UPDATE "${this.schema}"."certificates"
            SET status = 'REPLACED', replaced_by = $2, status_reason = $3, status_changed_at = now(), status_changed_by = $4
          WHERE number = $1`,
        [number, made.number, body.reason, actorOf(principal)],
      );
      const stored = await this.find(m, made.number);
      return this.signed(stored!);
    });
  }

  /** The PDF once the worker has rendered it. */
  async pdf(number: string, principal: Principal): Promise<PdfAnswer> {
    await this.visible(number, principal);
    const [row] = await queryRows<{ status: string; pdf: Buffer | null; file_name: string | null }>(
      this.db,
      `SELECT status, pdf, file_name FROM "${this.schema}"."certificate_pdfs" WHERE number = $1`,
      [number],
    );
    if (!row || row.status !== 'DONE') return { ready: false };
    if (row.pdf) return { ready: true, bytes: row.pdf };
    if (row.file_name && this.config.PDF_DIRECTORY)
      return { ready: true, bytes: await readFile(join(this.config.PDF_DIRECTORY, row.file_name)) };
    return { ready: false };
  }

  private assertValid(row: CertificateRow, action: string): void {
    if (row.status !== 'VALID')
      throw new ProblemException(
        409,
        'ILLEGAL_STATUS',
        `Cannot ${action} a ${row.status.toLowerCase()} certificate`,
        `${row.number} is ${row.status}${row.replaced_by ? ` (replaced by ${row.replaced_by})` : ''}`,
        { currentStatus: row.status, replacedBy: row.replaced_by },
      );
  }
}
