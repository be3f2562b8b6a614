import { randomUUID } from 'node:crypto';
import { type OriginDecided, type Reason, Topics } from '@cic/contracts';
import {
  assessCertificateRequest,
  type CertificateAssessment,
  certificateNumber,
  type LineAssessment,
  type OriginRules,
  signingPayload,
  toOfficeDate,
} from '@cic/origin-domain';
import { OutboxWriter, type PreparedEvent } from '@cic/platform-messaging';
import { runWithTrace, traceFromParent } from '@cic/platform-observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { decisionsTotal } from '../common/metrics';
import { queryRows } from '../common/sql';
import { ORIGIN_CLOCK, ORIGIN_CONFIG, ORIGIN_RULES, type OriginConfig, publicBaseUrl } from '../config';
import { type ActiveKey, SigningKeys } from '../signing/signing-keys';
import { type CertificateContent, certificateContent, type IssueInput } from './certificate-content';
import { enterpriseNumbers, issuingOffice, reserveSerials } from './registration';

export interface IssueRequest {
  source: 'DECLARATION' | 'API';
  declarationId?: string;
  /** API applications: the applicant's reference (idempotency key per exporter). */
  reference?: string;
  input: IssueInput;
  submittedBy: string;
  /** SHA-256 of the request as submitted: a repeated reference with another body is a conflict. */
  requestHash: string;
  traceParent?: string;
}

/** An assessment as stored with the application and answered by the API. */
export interface StoredDecision {
  outcome: 'ISSUED' | 'REFUSED';
  rulesetVersion: string;
  issueDate: string;
  reasons: Reason[];
  lines: LineAssessment[];
  certificateNumber?: string;
}

/** What makes a request unique: its declaration, or its exporter and reference. */
const keyOf = (r: IssueRequest): string =>
  r.declarationId ? `d:${r.declarationId}` : `r:${r.input.exporter.code}:${r.reference}`;

export interface IssueResult {
  applicationId: string;
  /** False when the declaration or reference was already decided: nothing was stored or published. */
  fresh: boolean;
  decision?: StoredDecision;
}

const SERIALS_EXHAUSTED = (office: string, year: number): Reason => ({
  code: 'CERTIFICATE_SERIAL_EXHAUSTED',
  message: `Office ${office} has issued every serial (9999) of ${year}: no certificate can be numbered this year`,
  messageZh: `签证机构${office}在${year}年的流水号（9999）已全部使用，本年度无法再编号`,
});

/** The lines of inspection.origin.decided.v1 (the rule applied, RVC, the reason as text). */
export const eventLines = (lines: readonly LineAssessment[]): OriginDecided['lines'] =>
  lines.map((l) => ({
    lineNo: l.lineNo,
    criterion: l.criterion,
    met: l.met,
    rule: l.rule,
    ...(l.rvc !== undefined ? { rvc: l.rvc } : {}),
    reason: l.reason.message,
  }));

/**
 * Decides certificate requests and issues the certificates, set-based, in the caller's transaction
 * (a Kafka batch's, or an API request's): the pure rules per request, one statement each for the
 * exporters' registration numbers, the serial blocks per office and year, the applications (whose unique
 * declaration id or reference is the replay guard), the signed certificates, their pending PDFs and the
 * outbox events (declarations only). Serials are reserved after everything that can fail on its own, so
 * the counter rows stay locked for as short as possible.
 */
@Injectable()
export class CertificateIssuer {
  private readonly logger = new Logger('CertificateIssuer');
  private readonly schema: string;

  constructor(
    private readonly keys: SigningKeys,
    private readonly outbox: OutboxWriter,
    @Inject(ORIGIN_CONFIG) private readonly config: OriginConfig,
    @Inject(ORIGIN_RULES) private readonly rules: OriginRules,
    @Inject(ORIGIN_CLOCK) private readonly clock: () => Date,
  ) {
    this.schema = config.DB_SCHEMA;
  }

  verifyUrl(number: string): string {
    return `${publicBaseUrl(this.config)}/v1/certificates/${number}/verify`;
  }

  issuer(office: string) {
    return { name: this.config.ISSUER_NAME, country: this.config.EXPORTER_COUNTRY, office };
  }

  async issueMany(m: EntityManager, requests: readonly IssueRequest[]): Promise<IssueResult[]> {
    // Already decided (a redelivered declaration, a repeated reference): skipped before any serial is taken.
    const known = await this.known(m, requests);
    const todo = requests.filter((r) => !known.has(keyOf(r)));
    if (todo.length === 0)
      return requests.map((r) => ({ applicationId: known.get(keyOf(r))!, fresh: false }));
    const now = this.clock();
    const issueDate = toOfficeDate(now, this.config.OFFICE_TIME_ZONE);
    const year = Number(issueDate.slice(0, 4));
    const assessed = todo.map((r) => ({
      r,
      id: randomUUID(),
      office: issuingOffice(r.input.inspectionOffice),
      a: assessCertificateRequest(
        {
          request: r.input.request,
          exporterCountry: this.config.EXPORTER_COUNTRY,
          goods: r.input.goods,
          issueDate,
        },
        this.rules,
      ),
    }));

    const issuing = assessed.filter((x) => x.a.outcome === 'ISSUED');
    const enterprises = await enterpriseNumbers(
      m,
      this.schema,
      issuing.map((x) => x.r.input.exporter.code),
    );
    const key = issuing.length ? await this.keys.active(m) : undefined;
    const counts = new Map<string, number>();
    for (const x of issuing) counts.set(x.office, (counts.get(x.office) ?? 0) + 1);
    const blocks = await reserveSerials(
      m,
      this.schema,
      [...counts].map(([office, count]) => ({ office, year, count })),
    );
    const next = new Map(blocks.map((b) => [b.office, b.first]));

    const decided = assessed.map((x) => {
      let decision: StoredDecision = {
        outcome: x.a.outcome,
        rulesetVersion: x.a.rulesetVersion,
        issueDate,
        reasons: x.a.reasons,
        lines: x.a.lines,
      };
      let number: string | undefined;
      if (x.a.outcome === 'ISSUED') {
        const serial = next.get(x.office);
        const made =
          serial === undefined
            ? undefined
            : certificateNumber({
                agreement: x.a.agreement,
                year: issueDate.slice(2, 4),
                office: x.office,
                enterprise: enterprises.get(x.r.input.exporter.code)!,
                serial,
              });
        if (serial !== undefined) next.set(x.office, serial + 1);
        if (made?.ok) number = made.number;
        else
          decision = {
            ...decision,
            outcome: 'REFUSED',
            reasons: [made ? made.error : SERIALS_EXHAUSTED(x.office, year)],
          };
      }
      if (number) decision.certificateNumber = number;
      const event = x.r.source === 'DECLARATION' ? this.decidedEvent(x.r, decision, x.a, now) : undefined;
      return { ...x, decision, number, event };
    });

    const inserted = await queryRows<{ id: string }>(
      m,
      `INSERT INTO "${this.schema}"."applications"
         (id, source, declaration_id, reference, exporter_code, request_hash, outcome, ruleset_version,
          decision, input, event_id, decided_at, submitted_by)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::jsonb[], $10::jsonb[], $11::uuid[], $12::timestamptz[], $13::text[])
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        decided.map((d) => d.id),
        decided.map((d) => d.r.source),
        decided.map((d) => d.r.declarationId ?? null),
        decided.map((d) => d.r.reference ?? null),
        decided.map((d) => d.r.input.exporter.code),
        decided.map((d) => d.r.requestHash),
        decided.map((d) => d.decision.outcome),
        decided.map((d) => d.decision.rulesetVersion),
        decided.map((d) => JSON.stringify(d.decision)),
        decided.map((d) => JSON.stringify(d.r.input)),
        decided.map((d) => d.event?.event.id ?? null),
        decided.map(() => now),
        decided.map((d) => d.r.submittedBy.slice(0, 100)),
      ],
    );
    const fresh = new Set(inserted.map((r) => r.id));
    const kept = decided.filter((d) => fresh.has(d.id));

    const certificates = kept
      .filter((d) => d.number)
      .map((d) =>
        certificateContent(d.r.input, d.a, {
          number: d.number!,
          issuedAt: now,
          issueDate,
          validUntil: d.a.validUntil!,
          issuer: this.issuer(d.office),
          applicationId: d.id,
          declarationId: d.r.declarationId,
          verifyUrl: this.verifyUrl(d.number!),
        }),
      );
    await this.store(m, certificates, key);

    await this.outbox.publishMany(
      m,
      kept.flatMap((d) => (d.event ? [d.event] : [])),
    );
    for (const d of kept) decisionsTotal.inc({ source: d.r.source, outcome: d.decision.outcome });
    if (this.config.LOG_ISSUES)
      for (const c of certificates)
        this.logger.log(`issued ${c.number} (${c.agreement}) to ${c.exporter.code}`);
    const byKey = new Map(decided.map((d) => [keyOf(d.r), d]));
    return requests.map((r) => {
      const d = byKey.get(keyOf(r));
      if (!d || !fresh.has(d.id)) return { applicationId: known.get(keyOf(r)) ?? d!.id, fresh: false };
      return { applicationId: d.id, fresh: true, decision: d.decision };
    });
  }

  /** Application ids of the requests already decided, by keyOf. */
  private async known(m: EntityManager, requests: readonly IssueRequest[]): Promise<Map<string, string>> {
    const declarations = requests.filter((r) => r.declarationId).map((r) => r.declarationId!);
    const refs = requests.filter((r) => r.reference);
    const rows = await queryRows<{
      id: string;
      declaration_id: string | null;
      exporter_code: string;
      reference: string | null;
    }>(
      m,
      `SELECT id, declaration_id, exporter_code, reference FROM "${this.schema}"."applications"
        WHERE declaration_id = ANY($1::uuid[])
           OR (exporter_code, reference) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
      [declarations, refs.map((r) => r.input.exporter.code), refs.map((r) => r.reference!)],
    );
    return new Map(
      rows.map((row) => [
        row.declaration_id ? `d:${row.declaration_id}` : `r:${row.exporter_code}:${row.reference}`,
        row.id,
      ]),
    );
  }

  /** Signs and stores certificates with one statement, and queues their PDFs. */
  async store(m: EntityManager, certificates: CertificateContent[], key?: ActiveKey): Promise<void> {
    if (certificates.length === 0) return;
    const signer = key ?? (await this.keys.active(m));
    const signed = certificates.map((c) => ({ c, signature: this.keys.sign(signer, signingPayload(c)) }));
    await m.query(
      `INSERT INTO "${this.schema}"."certificates"
         (number, application_id, declaration_id, agreement, exporter_code, office, year, serial, content, kid,
          signature, issued_at, valid_until, replaces)
       SELECT x.number, x.app, x.decl, x.agreement, x.exporter, substr(x.number, 4, 4),
              2000 + substr(x.number, 2, 2)::int, substr(x.number, 13, 4)::int, x.content, $9, x.sig,
              x.issued, x.until, x.replaces
         FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::jsonb[], $7::text[],
                     $8::timestamptz[], $10::date[], $11::text[])
           AS x(number, app, decl, agreement, exporter, content, sig, issued, until, replaces)`,
      [
        signed.map((s) => s.c.number),
        signed.map((s) => s.c.applicationId),
        signed.map((s) => s.c.declarationId ?? null),
        signed.map((s) => s.c.agreement),
        signed.map((s) => s.c.exporter.code),
        signed.map((s) => JSON.stringify(s.c)),
        signed.map((s) => s.signature),
        signed.map((s) => s.c.issuedAt),
        signer.kid,
        signed.map((s) => s.c.validUntil),
        signed.map((s) => s.c.replaces?.number ?? null),
      ],
    );
    await m.query(`INSERT INTO "${this.schema}"."certificate_pdfs" (number) SELECT unnest($1::text[])`, [
      certificates.map((c) => c.number),
    ]);
  }

  private decidedEvent(
    r: IssueRequest,
    decision: StoredDecision,
    a: CertificateAssessment,
    decidedAt: Date,
  ): PreparedEvent<typeof Topics.OriginDecidedV1> {
    const data: OriginDecided = {
      declarationId: r.declarationId!,
      decidedAt: decidedAt.toISOString(),
      rulesetVersion: decision.rulesetVersion,
      reasons: decision.reasons,
      outcome: decision.outcome,
      ...(decision.certificateNumber
        ? {
            certificate: {
              number: decision.certificateNumber,
              agreement: a.agreement,
              issuedAt: decidedAt.toISOString(),
              validUntil: a.validUntil!,
              verifyUrl: this.verifyUrl(decision.certificateNumber),
            },
          }
        : {}),
      lines: eventLines(decision.lines),
    };
    return runWithTrace(traceFromParent(r.traceParent), () =>
      this.outbox.prepare(Topics.OriginDecidedV1, { subject: r.declarationId!, time: decidedAt, data }),
    );
  }
}
