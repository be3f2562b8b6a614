import { createHash } from 'node:crypto';
import type { DeclarationAccepted } from '@cic/contracts';
import { canonicalJson } from '@cic/origin-domain';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CertificateIssuer, type IssueRequest } from '../issuance/certificate-issuer';

export interface AcceptedDeclaration {
  data: DeclarationAccepted;
  traceParent?: string;
}

export interface AcceptedResult {
  /** Declarations that asked for a certificate and were decided now (an event each). */
  decided: number;
  issued: number;
  /** Declarations without an originCertificate request: nothing to do, nothing published. */
  skipped: number;
  /** Already decided (a redelivery or replay of the same declaration): nothing published. */
  known: number;
}

/** Who issued through the Kafka path, as the applications record it. */
export const DECLARATION_SUBMITTER = 'inspection.declaration.accepted.v1';

/** The request of an accepted declaration, as the issuer takes it. */
export function declarationRequest(d: DeclarationAccepted, traceParent?: string): IssueRequest {
  const request = d.originCertificate!;
  return {
    source: 'DECLARATION',
    declarationId: d.declarationId,
    input: {
      exporter: { code: d.declarant.code, name: d.declarant.name },
      inspectionOffice: d.inspectionOffice,
      portOfExit: d.portOfExit,
      destinationCountry: d.destinationCountry,
      departureDate: d.departureDate,
      // The form's box 10: the declaration's (first) invoice.
      invoiceNumber: d.documents.find((doc) => doc.kind === 'INVOICE')?.number ?? 'NOT DECLARED',
      goods: d.goods,
      request,
    },
    submittedBy: DECLARATION_SUBMITTER,
    requestHash: createHash('sha256').update(canonicalJson(request)).digest('hex'),
    traceParent,
  };
}

/**
 * inspection.declaration.accepted.v1, a Kafka batch at a time in its transaction: the declarations that
 * carry an originCertificate request are decided together (CertificateIssuer.issueMany, set-based); the
 * declaration id is the replay guard, so a redelivered or replayed declaration publishes nothing.
 */
@Injectable()
export class DeclarationRequests {
  constructor(private readonly issuer: CertificateIssuer) {}

  async onAccepted(m: EntityManager, declarations: readonly AcceptedDeclaration[]): Promise<AcceptedResult> {
    const byId = new Map<string, AcceptedDeclaration>();
    for (const d of declarations) if (!byId.has(d.data.declarationId)) byId.set(d.data.declarationId, d);
    const wanted = [...byId.values()].filter((d) => d.data.originCertificate);
    const skipped = byId.size - wanted.length;
    if (wanted.length === 0) return { decided: 0, issued: 0, skipped, known: 0 };
    const results = await this.issuer.issueMany(
      m,
      wanted.map((d) => declarationRequest(d.data, d.traceParent)),
    );
    const fresh = results.filter((r) => r.fresh);
    return {
      decided: fresh.length,
      issued: fresh.filter((r) => r.decision?.outcome === 'ISSUED').length,
      skipped,
      known: results.length - fresh.length,
    };
  }
}
