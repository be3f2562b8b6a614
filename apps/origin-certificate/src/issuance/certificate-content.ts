import type { GoodsLine, Money, OriginCertificateRequest } from '@cic/contracts';
import type { CertificateAssessment } from '@cic/origin-domain';

/** Version of the certificate JSON below; a verifier can tell layouts apart by it. */
export const CERTIFICATE_FORMAT = 'cic-origin-certificate/1';

/**
 * What an application carries to issue a certificate: the request of DOMAIN.md with the goods lines it
 * names, the exporter and the shipment (from a declaration or the API body). Stored with the application,
 * so a correction can issue a replacement from it.
 */
export interface IssueInput {
  exporter: { code: string; name: string };
  inspectionOffice: string;
  portOfExit: string;
  destinationCountry: string;
  departureDate: string;
  invoiceNumber: string;
  goods: GoodsLine[];
  request: OriginCertificateRequest;
}

export interface CertificateItem {
  itemNo: number;
  lineNo: number;
  /** The 6-digit international HS code (the form's box 7) and the 10-digit national one. */
  hsCode: string;
  nationalHsCode: string;
  description: string;
  quantity: { value: string; unit: string };
  fob: Money;
  /** WO, PE or PSR, as claimed and met. */
  originCriterion: string;
  /** The rule applied ('WO', 'PE', 'RVC40 or CTH'). */
  rule: string;
  /** Regional value content in percent (two decimals) when computed. */
  rvc?: string;
  invoiceNumber: string;
}

/** The certificate as signed: every field here is covered by the signature (RFC 8785 canonical form). */
export interface CertificateContent {
  format: typeof CERTIFICATE_FORMAT;
  number: string;
  agreement: OriginCertificateRequest['agreement'];
  /** The paper form this corresponds to: RCEP certificate of origin or Form E (China-ASEAN). */
  form: 'RCEP' | 'FORM_E';
  issuedAt: string;
  issueDate: string;
  /** Last day of validity, inclusive (one year from issue). */
  validUntil: string;
  issuer: { name: string; country: string; office: string };
  exporter: { code: string; name: string; country: string };
  consignee: { name: string; address?: string };
  importingCountry: string;
  transport: { portOfExit: string; destinationCountry: string; departureDate: string };
  items: CertificateItem[];
  flags: OriginCertificateRequest['flags'];
  rulesetVersion: string;
  applicationId: string;
  declarationId?: string;
  /** For a replacement: the number of the certificate it replaces, and why. */
  replaces?: { number: string; reason: string };
  verifyUrl: string;
}

export interface ContentParts {
  number: string;
  issuedAt: Date;
  issueDate: string;
  validUntil: string;
  issuer: { name: string; country: string; office: string };
  applicationId: string;
  declarationId?: string;
  replaces?: { number: string; reason: string };
  verifyUrl: string;
}

/** The certificate of an issued assessment: one item per request line, numbered in request order. */
export function certificateContent(
  input: IssueInput,
  assessment: Pick<CertificateAssessment, 'lines' | 'rulesetVersion' | 'agreement'>,
  parts: ContentParts,
): CertificateContent {
  const goods = new Map(input.goods.map((g) => [g.lineNo, g]));
  const assessed = new Map(assessment.lines.map((l) => [l.lineNo, l]));
  const items = input.request.lines.map((line, i): CertificateItem => {
    const g = goods.get(line.lineNo);
    const a = assessed.get(line.lineNo);
    if (!g || !a) throw new Error(`line ${line.lineNo} has no goods or no assessment`);
    return {
      itemNo: i + 1,
      lineNo: line.lineNo,
      hsCode: g.hsCode.slice(0, 6),
      nationalHsCode: g.hsCode,
      description: g.description,
      quantity: { value: g.quantity.value, unit: g.quantity.unit },
      fob: { amount: line.fob.amount, currency: line.fob.currency },
      originCriterion: line.criterion,
      rule: a.rule,
      ...(a.rvc !== undefined ? { rvc: a.rvc } : {}),
      invoiceNumber: input.invoiceNumber,
    };
  });
  const consignee = input.request.consignee;
  return {
    format: CERTIFICATE_FORMAT,
    number: parts.number,
    agreement: input.request.agreement,
    form: input.request.agreement === 'RCEP' ? 'RCEP' : 'FORM_E',
    issuedAt: parts.issuedAt.toISOString(),
    issueDate: parts.issueDate,
    validUntil: parts.validUntil,
    issuer: parts.issuer,
    exporter: { code: input.exporter.code, name: input.exporter.name, country: parts.issuer.country },
    consignee: { name: consignee.name, ...(consignee.address ? { address: consignee.address } : {}) },
    importingCountry: input.request.importingCountry,
    transport: {
      portOfExit: input.portOfExit,
      destinationCountry: input.destinationCountry,
      departureDate: input.departureDate,
    },
    items,
    flags: { ...input.request.flags },
    rulesetVersion: assessment.rulesetVersion,
    applicationId: parts.applicationId,
    ...(parts.declarationId ? { declarationId: parts.declarationId } : {}),
    ...(parts.replaces ? { replaces: parts.replaces } : {}),
    verifyUrl: parts.verifyUrl,
  };
}
