import type { DocumentKind, Lane, Reason } from '@cic/contracts';
import type { ApprovalStatus } from './approval-status.rules';
import type { EnterpriseCategory, EnterpriseProfile } from './enterprise.types';
import type { LabCount } from './lab-history.rules';
import type { RiskAlert } from './risk-alert.index';

export interface DeclaredDocument {
  kind: DocumentKind;
  number: string;
  sha256: string;
  /** Where the document can be fetched; absent for a paperless declaration. */
  uri?: string;
}

/** What fetching a document from its uri showed (document-verification job). */
export type DocumentResult =
  | { status: 'MATCH' }
  | { status: 'MISMATCH'; expected: string; actual: string }
  | { status: 'UNREACHABLE'; error: string }
  | { status: 'NOT_ALLOWED'; reason: string };

export interface LaneInput {
  declarationId: string;
  destinationCountry: string;
  lines: ReadonlyArray<{ lineNo: number; hsCode: string }>;
  documents: readonly DeclaredDocument[];
  /** null: the enterprise is not on file. */
  profile: EnterpriseProfile | null;
  approvalStatus: ApprovalStatus;
  /**
   * Alerts found by RiskAlertIndex.match for the lines. decideLane applies the same match again to name
   * the lines, so a superset (e.g. every alert of the HS prefixes) is also a correct input.
   */
  matchedAlerts: readonly RiskAlert[];
  /** Sampling counts per heading over the lab window (see labWindowStart). */
  labCounts: readonly LabCount[];
  /** Per document number; undefined when verification did not run. */
  documentResults?: Readonly<Record<string, DocumentResult>>;
  /** Names of slow checks that did not finish in time (e.g. 'document-verification'). */
  timedOutChecks: readonly string[];
  /** The office's local date, YYYY-MM-DD. */
  asOf: string;
}

export type LaneCheckOutcome = 'PASS' | 'FAIL' | 'TIMEOUT' | 'SKIPPED';

export interface LaneCheck {
  name: string;
  outcome: LaneCheckOutcome;
  detail: string;
}

/** The data of inspection.greenchannel.decided.v1 without declarationId and decidedAt. */
export interface LaneDecision {
  lane: Lane;
  hardStop: boolean;
  randomlySelected: boolean;
  greenChannelApproved: boolean;
  enterpriseCategory: EnterpriseCategory | null;
  rulesetVersion: string;
  /** The rule that decided first, then every other finding. Empty for GREEN. */
  reasons: Reason[];
  checks: LaneCheck[];
}

/** Names of the checks on a lane decision, in the order they are listed. */
export const CHECK = {
  tier: 'tier',
  riskAlerts: 'risk-alerts',
  labHistory: 'lab-history',
  documentsRequired: 'documents-required',
  paperless: 'paperless',
  documentVerification: 'document-verification',
  history: 'history',
  randomSelection: 'random-selection',
} as const;

/** Documents the slow path must fetch and hash: those with a uri. None means no verification job. */
export function documentsToVerify<D extends { uri?: string }>(documents: readonly D[]): D[] {
  return documents.filter((d) => typeof d.uri === 'string' && d.uri !== '');
}
