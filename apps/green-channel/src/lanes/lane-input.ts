import type { DeclarationAccepted, DocumentKind } from '@cic/contracts';

/** What a lane needs of an accepted declaration, kept with the lane (lane_requests.input). */
export interface LaneRequestInput {
  declarantCode: string;
  destinationCountry: string;
  departureDate: string;
  lines: Array<{ lineNo: number; hsCode: string }>;
  documents: Array<{ kind: DocumentKind; number: string; sha256: string; uri?: string }>;
}

export interface LaneRow {
  declarationId: string;
  enterpriseCode: string;
  /** The office's local date the lane is decided for (YYYY-MM-DD). */
  asOf: string;
  input: LaneRequestInput;
  traceParent?: string;
}

export function laneInputOf(d: DeclarationAccepted): LaneRequestInput {
  return {
    declarantCode: d.declarant.code,
    destinationCountry: d.destinationCountry,
    departureDate: d.departureDate,
    lines: d.goods.map((g) => ({ lineNo: g.lineNo, hsCode: g.hsCode })),
    documents: d.documents.map((doc) => ({
      kind: doc.kind,
      number: doc.number,
      sha256: doc.sha256,
      ...(doc.uri ? { uri: doc.uri } : {}),
    })),
  };
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date at `at` in the office's time zone, YYYY-MM-DD. */
export function officeDate(at: Date, timeZone: string): string {
  let f = dateFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, f);
  }
  return f.format(at);
}

/** Names of slow checks as kept in lane_checks (one per document to fetch, one per other check). */
export const CHECK_KIND = {
  document: 'document',
  labHistory: 'lab-history',
  riskAlerts: 'risk-alerts',
} as const;
export type CheckKind = (typeof CHECK_KIND)[keyof typeof CHECK_KIND];
