// Before pdfkit: fontkit stays unloaded unless an embedded font needs it.
import './lazy-fontkit';
import PDFDocument from 'pdfkit';
import qrcode from 'qrcode-generator';
import type { CertificateContent } from '../issuance/certificate-content';

// The certificate as a printable PDF in the layout of the paper forms (RCEP certificate of origin and
// ACFTA Form E share it): boxes 1-4 (exporter, consignee, transport, official use), the items table
// (5 item number, 6 marks, 7 description with HS code, 8 origin criterion, 9 quantity and FOB value,
// 10 invoice), box 11 (the exporter's declaration) and box 12 (certification), with a QR code of the
// verify URL. Standard PDF fonts only (no font files to ship), so text outside Latin-1 is shown as "?".

const COUNTRY: Record<string, string> = {
  CN: "THE PEOPLE'S REPUBLIC OF CHINA",
  JP: 'JAPAN',
  KR: 'REPUBLIC OF KOREA',
  AU: 'AUSTRALIA',
  NZ: 'NEW ZEALAND',
  BN: 'BRUNEI DARUSSALAM',
  KH: 'CAMBODIA',
  ID: 'INDONESIA',
  LA: "LAO PEOPLE'S DEMOCRATIC REPUBLIC",
  MY: 'MALAYSIA',
  MM: 'MYANMAR',
  PH: 'PHILIPPINES',
  SG: 'SINGAPORE',
  TH: 'THAILAND',
  VN: 'VIET NAM',
};
const country = (code: string) => COUNTRY[code] ?? code;

/** Latin-1 only: the standard fonts' encoding (WinAnsi) has nothing else. */
const latin1 = (s: string) => s.replace(/[^\u0020-\u007e\u00a0-\u00ff\n]/g, '?');

const PAGE = { width: 595.28, height: 841.89, margin: 28 };
const INNER = PAGE.width - 2 * PAGE.margin;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';

/** Columns of the items table (boxes 5-10), as fractions of the inner width. */
const COLUMNS = [
  { box: '5', title: 'Item number', width: 0.07 },
  { box: '6', title: 'Marks and numbers on packages', width: 0.11 },
  { box: '7', title: 'Number and kind of packages; description of goods; HS code', width: 0.36 },
  { box: '8', title: 'Origin criterion', width: 0.14 },
  { box: '9', title: 'Quantity and FOB value', width: 0.16 },
  { box: '10', title: 'Number of invoice', width: 0.16 },
];

export function renderCertificatePdf(c: CertificateContent): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    info: {
      Title: `Certificate of origin ${c.number}`,
      Subject: c.form === 'RCEP' ? 'RCEP certificate of origin' : 'ACFTA Form E',
      Author: latin1(c.issuer.name),
      CreationDate: new Date(c.issuedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (d: Buffer) => chunks.push(d));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  draw(doc, c);
  doc.end();
  return done;
}

type Doc = PDFKit.PDFDocument;

function box(
  doc: Doc,
  x: number,
  y: number,
  w: number,
  h: number,
  label: string,
  body: string[],
  size = 8.5,
) {
  doc.lineWidth(0.6).rect(x, y, w, h).stroke();
  doc
    .font(FONT)
    .fontSize(6.5)
    .fillColor('#444')
    .text(label, x + 4, y + 3, { width: w - 8 });
  doc.font(FONT).fontSize(size).fillColor('black');
  let ty = doc.y + 2;
  for (const line of body) {
    doc.text(latin1(line), x + 6, ty, { width: w - 12 });
    ty = doc.y + 1;
  }
}

function header(doc: Doc, c: CertificateContent): number {
  const m = PAGE.margin;
  const title =
    c.form === 'RCEP'
      ? 'REGIONAL COMPREHENSIVE ECONOMIC PARTNERSHIP AGREEMENT\nCERTIFICATE OF ORIGIN'
      : 'ASEAN-CHINA FREE TRADE AREA PREFERENTIAL TARIFF\nCERTIFICATE OF ORIGIN (Combined Declaration and Certificate)\nFORM E';
  doc.font(BOLD).fontSize(11).text(title, m, m, { width: INNER, align: 'center' });
  return doc.y + 8;
}

function draw(doc: Doc, c: CertificateContent): void {
  const m = PAGE.margin;
  let y = header(doc, c);
  const left = INNER * 0.58;
  const right = INNER - left;

  box(doc, m, y, left, 72, "1. Goods consigned from (Exporter's name, address, country)", [
    c.exporter.name,
    `Unified social credit code ${c.exporter.code}`,
    country(c.exporter.country),
  ]);
  box(doc, m + left, y, right, 72, 'Certificate No.', [], 8);
  doc
    .font(BOLD)
    .fontSize(14)
    .text(c.number, m + left + 6, y + 16, { width: right - 12 });
  doc
    .font(FONT)
    .fontSize(8)
    .text(`Issued in ${country(c.issuer.country)}`, m + left + 6, y + 38, { width: right - 12 })
    .text(`Issue date ${c.issueDate}   valid through ${c.validUntil}`, { width: right - 12 });
  y += 72;

  box(doc, m, y, left, 64, "2. Goods consigned to (Consignee's name, address, country)", [
    c.consignee.name,
    ...(c.consignee.address ? [c.consignee.address] : []),
    country(c.importingCountry),
  ]);
  const flags: Array<[string, boolean]> = [
    ['Preferential treatment given under the agreement', true],
    ['Issued retroactively', c.flags.issuedRetroactively],
    ['Exhibition', c.flags.exhibition],
    [c.form === 'RCEP' ? 'Back-to-back certificate of origin' : 'Movement certificate', c.flags.backToBack],
    ['Third-party invoicing', c.flags.thirdPartyInvoicing],
  ];
  box(doc, m + left, y, right, 128, '4. For official use', []);
  let fy = y + 14;
  for (const [label, on] of flags) {
    doc
      .lineWidth(0.6)
      .rect(m + left + 6, fy, 7, 7)
      .stroke();
    if (on)
      doc
        .font(BOLD)
        .fontSize(8)
        .text('X', m + left + 7.2, fy - 0.2);
    doc
      .font(FONT)
      .fontSize(7.5)
      .text(label, m + left + 17, fy, { width: right - 24 });
    fy = doc.y + 4;
  }
  y += 64;

  box(doc, m, y, left, 64, '3. Means of transport and route (as far as known)', [
    `Departure date: ${c.transport.departureDate}`,
    `Port of loading: ${c.transport.portOfExit}`,
    `Destination: ${country(c.transport.destinationCountry)}`,
  ]);
  y += 64;

  y = itemsTable(doc, c, y);
  closingBoxes(doc, c, y);
}

function tableHeader(doc: Doc, y: number): number {
  const m = PAGE.margin;
  let x = m;
  const h = 30;
  for (const col of COLUMNS) {
    const w = INNER * col.width;
    doc.lineWidth(0.6).rect(x, y, w, h).stroke();
    doc
      .font(FONT)
      .fontSize(6.5)
      .text(`${col.box}. ${col.title}`, x + 3, y + 3, { width: w - 6 });
    x += w;
  }
  return y + h;
}

function itemsTable(doc: Doc, c: CertificateContent, top: number): number {
  const m = PAGE.margin;
  const limit = PAGE.height - m - 40;
  let y = tableHeader(doc, top);
  for (const item of c.items) {
    const cells = [
      String(item.itemNo),
      'N/M',
      `${item.description}\nHS ${item.hsCode}`,
      `${item.originCriterion}${item.originCriterion === 'PSR' ? `\n${item.rule}` : ''}${item.rvc ? `\nRVC ${item.rvc}%` : ''}`,
      `${item.quantity.value} ${item.quantity.unit}\nFOB ${item.fob.currency} ${item.fob.amount}`,
      item.invoiceNumber,
    ];
    doc.font(FONT).fontSize(8);
    const h =
      Math.max(
        ...cells.map((t, i) => doc.heightOfString(latin1(t), { width: INNER * COLUMNS[i].width - 6 })),
      ) + 8;
    if (y + h > limit) {
      doc.addPage();
      y = tableHeader(doc, header(doc, c));
    }
    let x = m;
    cells.forEach((t, i) => {
      const w = INNER * COLUMNS[i].width;
      doc.lineWidth(0.6).rect(x, y, w, h).stroke();
      doc
        .font(FONT)
        .fontSize(8)
        .text(latin1(t), x + 3, y + 4, { width: w - 6 });
      x += w;
    });
    y += h;
  }
  return y;
}

function closingBoxes(doc: Doc, c: CertificateContent, top: number): void {
  const m = PAGE.margin;
  const h = 170;
  let y = top;
  if (y + h > PAGE.height - m) {
    doc.addPage();
    y = header(doc, c);
  }
  const half = INNER / 2;
  const agreement =
    c.form === 'RCEP'
      ? 'the Regional Comprehensive Economic Partnership Agreement'
      : 'the ASEAN-China Free Trade Area';
  box(doc, m, y, half, h, '11. Declaration by the exporter', [
    'The undersigned hereby declares that the above details and statement are correct; that all the goods were ' +
      `produced in ${country(c.exporter.country)} and that they comply with the origin requirements specified ` +
      `for these goods in ${agreement} for the goods exported to ${country(c.importingCountry)}.`,
    '',
    `${c.exporter.name}`,
    `Place and date: ${c.transport.portOfExit}, ${c.issueDate}`,
  ]);
  box(doc, m + half, y, half, h, '12. Certification', [
    'It is hereby certified, on the basis of control carried out, that the declaration by the exporter is correct.',
    '',
    c.issuer.name,
    `Issuing office ${c.issuer.office}, ${c.issueDate}`,
    'Electronically signed (Ed25519, RFC 8785 canonical JSON).',
    ...(c.replaces ? [`Replaces certificate ${c.replaces.number}`] : []),
  ]);
  const qrSize = 78;
  qr(doc, c.verifyUrl, m + INNER - qrSize - 6, y + h - qrSize - 6, qrSize);
  doc
    .font(FONT)
    .fontSize(6.5)
    .text(`Verify: ${c.verifyUrl}`, m + half + 6, y + h - 22, { width: half - qrSize - 18 });
}

/** A QR code (error correction M) of `text`, drawn as vector squares. */
function qr(doc: Doc, text: string, x: number, y: number, size: number): void {
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  const n = code.getModuleCount();
  const cell = size / (n + 2);
  doc.save().fillColor('black');
  for (let r = 0; r < n; r++)
    for (let col = 0; col < n; col++)
      if (code.isDark(r, col)) doc.rect(x + (col + 1) * cell, y + (r + 1) * cell, cell, cell);
  doc.fill();
  doc.restore();
}
