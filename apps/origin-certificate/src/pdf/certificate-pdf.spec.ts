import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { CertificateContent } from '../issuance/certificate-content';
import { renderCertificatePdf } from './certificate-pdf';

const root = join(__dirname, '../../../..');

const certificate = (items: number): CertificateContent => ({
  format: 'cic-origin-certificate/1',
  number: 'E263302000010042',
  agreement: 'CHINA_ASEAN',
  form: 'FORM_E',
  issuedAt: '2026-03-10T02:00:00.000Z',
  issueDate: '2026-03-10',
  validUntil: '2027-03-10',
  issuer: { name: 'Issuer', country: 'CN', office: '3302' },
  exporter: { code: '91330200MA2H4K7L3P', name: '宁波 Harbour Gearbox', country: 'CN' },
  consignee: { name: 'Rayong Auto' },
  importingCountry: 'TH',
  transport: { portOfExit: 'CNNGB', destinationCountry: 'TH', departureDate: '2026-03-12' },
  items: Array.from({ length: items }, (_, i) => ({
    itemNo: i + 1,
    lineNo: i + 1,
    hsCode: '870840',
    nationalHsCode: '8708409100',
    description: `Gearbox model ${i + 1} with a long description that wraps over more than one line of the box`,
    quantity: { value: '10', unit: 'SET' },
    fob: { amount: '1000.00', currency: 'USD' },
    originCriterion: 'PSR',
    rule: 'RVC40 or CTH',
    rvc: '55.00',
    invoiceNumber: 'INV-1',
  })),
  flags: { issuedRetroactively: true, thirdPartyInvoicing: false, backToBack: false, exhibition: false },
  rulesetVersion: 'origin/2026.1',
  applicationId: '00000000-0000-4000-8000-000000000000',
  verifyUrl: 'https://origin.example/v1/certificates/E263302000010042/verify',
});

describe('renderCertificatePdf', () => {
  it('renders one page for a short certificate and continues on more pages for 20 items', async () => {
    const one = await renderCertificatePdf(certificate(1));
    expect(one.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
    expect(pages(one)).toBe(1);
    expect(pages(await renderCertificatePdf(certificate(20)))).toBeGreaterThan(1);
  });
});

describe("fontkit, under Node's own module loader", () => {
  // Jest has a module registry of its own, so the stand-in is exercised in a plain Node process.
  it('stays unloaded through a render with the standard fonts, and loads when something of it is used', () => {
    const script = `
      const { renderCertificatePdf } = require('./certificate-pdf');
      const { fontkitLoaded, fontkitPath } = require('./lazy-fontkit');
      renderCertificatePdf(${JSON.stringify(certificate(3))}).then((pdf) => {
        const afterRender = fontkitLoaded();
        const create = require(fontkitPath).create;
        console.log(JSON.stringify({ pdf: pdf.subarray(0, 5).toString(), afterRender, create: typeof create, after: fontkitLoaded() }));
      });`;
    const out = execFileSync(process.execPath, ['-r', join(root, 'scripts/register.js'), '-e', script], {
      cwd: __dirname,
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({
      pdf: '%PDF-',
      afterRender: false,
      create: 'function',
      after: true,
    });
  }, 60_000);
});
