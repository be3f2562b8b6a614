import type {
  Agreement,
  BuildUpCosts,
  MaterialRef,
  Money,
  OriginCriterion,
  OriginMaterial,
  OriginReason,
  RvcMethod,
} from './origin.types';
import type { OriginRule } from './origin-rule';
import type { RvcEvaluation } from './rvc.rules';
import type { TariffShiftEvaluation } from './tariff-shift.rules';

export interface LineAssessmentInput {
  agreement: Agreement;
  /** The country the certificate is issued in ('CN'); WO needs every material to come from it. */
  exporterCountry: string;
  lineNo: number;
  /** The product's HS code, from the declaration's goods line. */
  hsCode: string;
  fob: Money;
  criterion: OriginCriterion;
  materials: readonly OriginMaterial[];
  /** Default: the rules' rvcMethod (build-down). */
  rvcMethod?: RvcMethod;
  /** Added to originating materials by build-up; ignored by build-down. */
  costs?: BuildUpCosts;
}

/** WO / PE: the materials that keep the product from qualifying. */
export interface MaterialsEvaluation {
  kind: 'WO' | 'PE';
  rule: string;
  met: boolean;
  offendingMaterials: MaterialRef[];
}

export type RuleEvaluation = RvcEvaluation | TariffShiftEvaluation | MaterialsEvaluation;

export interface LineDetails {
  productHsCode: string;
  /** For PSR: the rule table entry applied (prefix null: the general rule) and the table's version. */
  psr?: { prefix: string | null; tableVersion: string; rule: OriginRule };
  /** Every test run, in the order of the rule: each RVC and tariff-shift alternative, or WO / PE. */
  evaluations: RuleEvaluation[];
  /** All non-originating materials (non-party or undetermined origin). */
  nonOriginatingMaterials: MaterialRef[];
  /** Materials that failed a test: outside the exporting country (WO), non-originating (PE), or not
   * changing classification (tariff shift, whether or not de minimis then saved them). */
  offendingMaterials: MaterialRef[];
  /** Share of FOB of the materials that do not change classification (first tariff-shift test). */
  deMinimis?: { share: string; limit: string; met: boolean };
  /** Input problems that kept the line from being assessed (currency, amounts, HS codes). */
  problems?: string[];
}

/** One line of inspection.origin.decided.v1, with the evidence behind it. */
export interface LineAssessment {
  lineNo: number;
  criterion: OriginCriterion;
  met: boolean;
  /** The rule applied: 'WO', 'PE' or the product-specific rule as text ('RVC40 or CTH'). */
  rule: string;
  /** Regional value content in percent, two decimals rounded down, when computed. */
  rvc?: string;
  /** Why the line is (not) met. */
  reason: OriginReason;
  details: LineDetails;
}
