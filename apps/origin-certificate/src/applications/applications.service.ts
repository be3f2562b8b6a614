import { createHash } from 'node:crypto';
import type { Reason } from '@cic/contracts';
import { canonicalJson, type LineAssessment } from '@cic/origin-domain';
import { mayActFor, type Principal } from '@cic/platform-auth';
import { ProblemException } from '@cic/platform-http';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { actorOf, type ApplicationBody } from '../common/schemas';
import { queryRows } from '../common/sql';
import { ORIGIN_CONFIG, type OriginConfig } from '../config';
import { CertificateIssuer, type StoredDecision } from '../issuance/certificate-issuer';

export interface ApplicationView {
  id: string;
  source: 'DECLARATION' | 'API';
  reference: string | null;
  declarationId: string | null;
  exporterCode: string;
  outcome: 'ISSUED' | 'REFUSED';
  decidedAt: string;
  rulesetVersion: string;
  issueDate: string;
  reasons: Reason[];
  /** Per line: the rule applied, whether met, the RVC, the reason and the figures behind it. */
  lines: LineAssessment[];
  /** The certificate issued on this application (corrections may have replaced it since). */
  certificate: {
    number: string;
    agreement: string;
    issuedAt: string;
    validUntil: string;
    status: string;
    replacedBy: string | null;
    verifyUrl: string;
  } | null;
  /** The inspection.origin.decided.v1 event published for a declaration. */
  eventId: string | null;
}

interface ApplicationRow {
  id: string;
  source: 'DECLARATION' | 'API';
  reference: string | null;
  declaration_id: string | null;
  exporter_code: string;
  request_hash: string;
  outcome: 'ISSUED' | 'REFUSED';
  decided_at: Date;
  ruleset_version: string;
  decision: StoredDecision;
  event_id: string | null;
  number: string | null;
  agreement: string | null;
  issued_at: Date | null;
  valid_until: string | null;
  status: string | null;
  replaced_by: string | null;
}

/** Applications for a certificate through the API, and every application's decision (API or declaration). */
@Injectable()
export class ApplicationsService {
  private readonly schema: string;

  constructor(
    private readonly db: DataSource,
    private readonly issuer: CertificateIssuer,
    @Inject(ORIGIN_CONFIG) config: OriginConfig,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  /**
   * Decides the application and issues its certificate. The reference is the idempotency key: the same
   * body again answers the first decision (`created: false`); another body under it is a 409.
   */
  async apply(
    body: ApplicationBody,
    principal: Principal,
  ): Promise<{ created: boolean; view: ApplicationView }> {
    if (!mayActFor(principal, body.exporter.code))
      throw new ProblemException(
        403,
        'FORBIDDEN',
        'Not your exporter code',
        `this key may not apply for ${body.exporter.code}`,
      );
    const requestHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
    const [result] = await this.db.transaction((m) =>
      this.issuer.issueMany(m, [
        {
          source: 'API',
          reference: body.reference,
          input: {
            exporter: body.exporter,
            inspectionOffice: body.inspectionOffice,
            portOfExit: body.portOfExit,
            destinationCountry: body.destinationCountry,
            departureDate: body.departureDate,
            invoiceNumber: body.invoiceNumber,
            goods: body.goods,
            request: body.originCertificate,
          },
          submittedBy: actorOf(principal),
          requestHash,
        },
      ]),
    );
    const row = await this.row(`a.exporter_code = $1 AND a.reference = $2`, [
      body.exporter.code,
      body.reference,
    ]);
    if (!row) throw new Error(`application ${body.reference} of ${body.exporter.code} not found after issue`);
    if (!result.fresh && row.request_hash !== requestHash)
      throw new ProblemException(
        409,
        'REFERENCE_IN_USE',
        'Reference already used',
        `application ${body.reference} of ${body.exporter.code} was submitted with another body`,
        { applicationId: row.id },
      );
    return { created: result.fresh, view: this.toView(row) };
  }

  async get(id: string, principal: Principal): Promise<ApplicationView> {
    const row = await this.row('a.id = $1', [id]);
    if (!row || !mayActFor(principal, row.exporter_code))
      throw new ProblemException(404, 'NOT_FOUND', 'Not found', `no application ${id}`);
    return this.toView(row);
  }

  async list(
    q: { limit: number; exporterCode?: string; reference?: string },
    principal: Principal,
  ): Promise<{ items: ApplicationView[] }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.exporterCode) where.push(`a.exporter_code = $${params.push(q.exporterCode)}`);
    if (q.reference) where.push(`a.reference = $${params.push(q.reference)}`);
    if (principal.role === 'declarant')
      where.push(`a.exporter_code = ANY($${params.push(principal.declarantCodes)}::text[])`);
    const rows = await this.rows(where.length ? where.join(' AND ') : 'true', params, q.limit);
    return { items: rows.map((r) => this.toView(r)) };
  }

  /** The decision of a declaration, as published (inspection.origin.decided.v1), or undefined. */
  async byDeclaration(declarationId: string): Promise<ApplicationView | undefined> {
    const row = await this.row('a.declaration_id = $1', [declarationId]);
    return row && this.toView(row);
  }

  private async row(where: string, params: unknown[]): Promise<ApplicationRow | undefined> {
    return (await this.rows(where, params, 1))[0];
  }

  private rows(where: string, params: unknown[], limit: number): Promise<ApplicationRow[]> {
    return queryRows<ApplicationRow>(
      this.db,
      `SELECT a.id, a.source, a.reference, a.declaration_id, a.exporter_code, a.request_hash, a.outcome,
              a.decided_at, a.ruleset_version, a.decision, a.event_id,
              c.number, c.agreement, c.issued_at, c.valid_until::text AS valid_until, c.status, c.replaced_by
         FROM "${this.schema}"."applications" a
         LEFT JOIN "${this.schema}"."certificates" c ON c.application_id = a.id AND c.replaces IS NULL
        WHERE ${where}
        ORDER BY a.decided_at DESC, a.id
        LIMIT ${Number(limit)}`,
      params,
    );
  }

  private toView(r: ApplicationRow): ApplicationView {
    return {
      id: r.id,
      source: r.source,
      reference: r.reference,
      declarationId: r.declaration_id,
      exporterCode: r.exporter_code,
      outcome: r.outcome,
      decidedAt: r.decided_at.toISOString(),
      rulesetVersion: r.ruleset_version,
      issueDate: r.decision.issueDate,
      reasons: r.decision.reasons,
      lines: r.decision.lines,
      certificate: r.number
        ? {
            number: r.number,
            agreement: r.agreement!,
            issuedAt: r.issued_at!.toISOString(),
            validUntil: r.valid_until!,
            status: r.status!,
            replacedBy: r.replaced_by,
            verifyUrl: this.issuer.verifyUrl(r.number),
          }
        : null,
      eventId: r.event_id,
    };
  }
}
