import { decideLane } from './lane.rules';
import { CHECK, type DeclaredDocument, documentsToVerify, type LaneInput } from './lane.types';
import { selectionDraw } from './random-selection.rules';
import type { RiskAlert } from './risk-alert.index';
import { DEFAULT_RULES } from './rules.config';
import { ASOF, profile } from './testing/fixtures';
import { seededRandom, seededUuid } from './testing/seeded-random';

const KEY = 'lane-test-key';
const ALL_CHECKS = [
  CHECK.tier,
  CHECK.riskAlerts,
  CHECK.labHistory,
  CHECK.documentsRequired,
  CHECK.paperless,
  CHECK.documentVerification,
  CHECK.history,
  CHECK.randomSelection,
];

// Declaration ids whose draw is known: one above every rate but 1, one below every rate.
const random = seededRandom(7);
const idWhere = (ok: (draw: number) => boolean) => {
  for (;;) {
    const id = seededUuid(random);
    if (ok(selectionDraw(id, KEY))) return id;
  }
};
const NOT_SELECTED = idWhere((d) => d >= 0.9);
const SELECTED = idWhere((d) => d < 0.003);

const INVOICE: DeclaredDocument = { kind: 'INVOICE', number: 'INV-1', sha256: 'a'.repeat(64) };
const PACKING: DeclaredDocument = { kind: 'PACKING_LIST', number: 'PL-1', sha256: 'b'.repeat(64) };
const withUri = (d: DeclaredDocument): DeclaredDocument => ({
  ...d,
  uri: `https://docs.example.cn/${d.number}`,
});

const alert = (over: Partial<RiskAlert> = {}): RiskAlert => ({
  id: 'RA-9',
  hsPrefix: '8471',
  destinations: ['JP'],
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
  source: 'FOREIGN_NOTIFICATION',
  description: 'overheating power supply',
  ...over,
});

const input = (over: Partial<LaneInput> = {}): LaneInput => ({
  declarationId: NOT_SELECTED,
  destinationCountry: 'JP',
  lines: [
    { lineNo: 1, hsCode: '8471300000' },
    { lineNo: 2, hsCode: '6403990000' },
  ],
  documents: [INVOICE, PACKING],
  profile: profile(),
  approvalStatus: 'APPROVED',
  matchedAlerts: [],
  labCounts: [],
  timedOutChecks: [],
  asOf: ASOF,
  ...over,
});

const verified = { documents: [withUri(INVOICE), withUri(PACKING)] };
const results = (inv: NonNullable<LaneInput['documentResults']>[string]) => ({
  ...verified,
  documentResults: { 'INV-1': inv, 'PL-1': { status: 'MATCH' as const } },
});
const discredited = profile({ tier: 'DISCREDITED' });

type Lane = 'GREEN' | 'YELLOW' | 'RED';
// [name, input overrides, lane, hardStop, randomlySelected, reason codes in order, check -> outcome]
type Row = [string, Partial<LaneInput>, Lane, boolean, boolean, string[], Record<string, string>];

describe('decideLane (DOMAIN.md "Lane per declaration")', () => {
  it.each<Row>([
    [
      'nothing to find',
      {},
      'GREEN',
      false,
      false,
      [],
      { 'random-selection': 'PASS', 'document-verification': 'SKIPPED' },
    ],
    // hard stops -> RED
    [
      'seriously discredited',
      { profile: profile({ tier: 'SERIOUSLY_DISCREDITED' }) },
      'RED',
      true,
      false,
      ['ENTERPRISE_SERIOUSLY_DISCREDITED', 'DOCUMENT_URI_REQUIRED', 'DOCUMENT_URI_REQUIRED'],
      { tier: 'FAIL', 'random-selection': 'SKIPPED' },
    ],
    [
      'alert on the heading and destination',
      { matchedAlerts: [alert()] },
      'RED',
      true,
      false,
      ['RISK_ALERT_MATCH'],
      { 'risk-alerts': 'FAIL' },
    ],
    [
      'alert on the 6-digit subheading',
      { matchedAlerts: [alert({ hsPrefix: '847130' })] },
      'RED',
      true,
      false,
      ['RISK_ALERT_MATCH'],
      {},
    ],
    [
      'alert on another subheading',
      { matchedAlerts: [alert({ hsPrefix: '847131' })] },
      'GREEN',
      false,
      false,
      [],
      { 'risk-alerts': 'PASS' },
    ],
    [
      'alert for another destination',
      { matchedAlerts: [alert({ destinations: ['US'] })] },
      'GREEN',
      false,
      false,
      [],
      {},
    ],
    [
      'alert for any destination',
      { matchedAlerts: [alert({ destinations: [] })] },
      'RED',
      true,
      false,
      ['RISK_ALERT_MATCH'],
      {},
    ],
    [
      'alert ending on asOf',
      { matchedAlerts: [alert({ validUntil: ASOF })] },
      'RED',
      true,
      false,
      ['RISK_ALERT_MATCH'],
      {},
    ],
    [
      'alert ended the day before',
      { matchedAlerts: [alert({ validUntil: '2026-03-09' })] },
      'GREEN',
      false,
      false,
      [],
      {},
    ],
    [
      'alert starting on asOf',
      { matchedAlerts: [alert({ validFrom: ASOF })] },
      'RED',
      true,
      false,
      ['RISK_ALERT_MATCH'],
      {},
    ],
    [
      'alert starting the day after',
      { matchedAlerts: [alert({ validFrom: '2026-03-11' })] },
      'GREEN',
      false,
      false,
      [],
      {},
    ],
    [
      'lab: 9 of 10 passed on a declared heading',
      { labCounts: [{ heading: '8471', samples: 10, passes: 9 }] },
      'RED',
      true,
      false,
      ['LAB_HISTORY_FAILED'],
      { 'lab-history': 'FAIL' },
    ],
    [
      'lab: 19 of 20 (exactly 95%)',
      { labCounts: [{ heading: '8471', samples: 20, passes: 19 }] },
      'GREEN',
      false,
      false,
      [],
      { 'lab-history': 'PASS' },
    ],
    [
      'lab: 0 of 9, too few samples',
      { labCounts: [{ heading: '6403', samples: 9, passes: 0 }] },
      'GREEN',
      false,
      false,
      [],
      {},
    ],
    [
      'lab: failing heading not declared',
      { labCounts: [{ heading: '9503', samples: 10, passes: 0 }] },
      'GREEN',
      false,
      false,
      [],
      {},
    ],
    [
      'lab: invalid counts',
      { labCounts: [{ heading: '6403', samples: 3, passes: 4 }] },
      'YELLOW',
      false,
      false,
      ['LAB_HISTORY_INVALID'],
      { 'lab-history': 'FAIL' },
    ],
    // criteria -> YELLOW
    [
      'packing list missing',
      { documents: [INVOICE] },
      'YELLOW',
      false,
      false,
      ['REQUIRED_DOCUMENT_MISSING'],
      { 'documents-required': 'FAIL', 'random-selection': 'SKIPPED' },
    ],
    [
      'both required documents missing',
      { documents: [] },
      'YELLOW',
      false,
      false,
      ['REQUIRED_DOCUMENT_MISSING', 'REQUIRED_DOCUMENT_MISSING'],
      {},
    ],
    [
      'sha256 mismatch',
      results({ status: 'MISMATCH', expected: 'a'.repeat(64), actual: 'c'.repeat(64) }),
      'YELLOW',
      false,
      false,
      ['DOCUMENT_HASH_MISMATCH'],
      { 'document-verification': 'FAIL' },
    ],
    [
      'document unreachable',
      results({ status: 'UNREACHABLE', error: 'HTTP 503' }),
      'YELLOW',
      false,
      false,
      ['DOCUMENT_UNREACHABLE'],
      { 'document-verification': 'FAIL' },
    ],
    [
      'document outside the allowed locations',
      results({ status: 'NOT_ALLOWED', reason: 'host not allowed' }),
      'YELLOW',
      false,
      false,
      ['DOCUMENT_LOCATION_NOT_ALLOWED'],
      { 'document-verification': 'FAIL' },
    ],
    [
      'every document matches',
      results({ status: 'MATCH' }),
      'GREEN',
      false,
      false,
      [],
      { 'document-verification': 'PASS' },
    ],
    [
      'documents with uri never verified',
      verified,
      'YELLOW',
      false,
      false,
      ['DOCUMENT_NOT_VERIFIED', 'DOCUMENT_NOT_VERIFIED'],
      { 'document-verification': 'FAIL' },
    ],
    [
      'verification timed out',
      { ...verified, timedOutChecks: ['document-verification'] },
      'YELLOW',
      false,
      false,
      ['CHECK_TIMEOUT'],
      { 'document-verification': 'TIMEOUT' },
    ],
    [
      'timed out after finding a mismatch',
      {
        ...results({ status: 'MISMATCH', expected: 'a', actual: 'b' }),
        timedOutChecks: ['document-verification'],
      },
      'YELLOW',
      false,
      false,
      ['CHECK_TIMEOUT', 'DOCUMENT_HASH_MISMATCH'],
      { 'document-verification': 'FAIL' },
    ],
    [
      'alert screening timed out',
      { timedOutChecks: ['risk-alerts'] },
      'YELLOW',
      false,
      false,
      ['CHECK_TIMEOUT'],
      { 'risk-alerts': 'TIMEOUT' },
    ],
    [
      'screening timed out but already matched',
      { timedOutChecks: ['risk-alerts'], matchedAlerts: [alert()] },
      'RED',
      true,
      false,
      ['RISK_ALERT_MATCH', 'CHECK_TIMEOUT'],
      { 'risk-alerts': 'FAIL' },
    ],
    [
      'a check of another name timed out',
      { timedOutChecks: ['hs-classification'] },
      'YELLOW',
      false,
      false,
      ['CHECK_TIMEOUT'],
      { 'hs-classification': 'TIMEOUT' },
    ],
    [
      'history exactly 1 year',
      { profile: profile({ historySince: '2025-03-10' }) },
      'GREEN',
      false,
      false,
      [],
      { history: 'PASS' },
    ],
    [
      'history 1 year less 1 day',
      { profile: profile({ historySince: '2025-03-11' }) },
      'YELLOW',
      false,
      false,
      ['ENTERPRISE_HISTORY_SHORT'],
      { history: 'FAIL' },
    ],
    [
      'history 1 year and 1 day',
      { profile: profile({ historySince: '2025-03-09' }) },
      'GREEN',
      false,
      false,
      [],
      { history: 'PASS' },
    ],
    [
      'history since a leap day, seen 2025-02-28',
      { asOf: '2025-02-28', profile: profile({ historySince: '2024-02-29' }) },
      'YELLOW',
      false,
      false,
      ['ENTERPRISE_HISTORY_SHORT'],
      {},
    ],
    [
      'history since a leap day, seen 2025-03-01',
      { asOf: '2025-03-01', profile: profile({ historySince: '2024-02-29' }) },
      'GREEN',
      false,
      false,
      [],
      {},
    ],
    [
      'leap asOf: history since 2027-02-28',
      { asOf: '2028-02-29', profile: profile({ historySince: '2027-02-28' }) },
      'GREEN',
      false,
      false,
      [],
      {},
    ],
    [
      'leap asOf: history since 2027-03-01',
      { asOf: '2028-02-29', profile: profile({ historySince: '2027-03-01' }) },
      'YELLOW',
      false,
      false,
      ['ENTERPRISE_HISTORY_SHORT'],
      {},
    ],
    [
      'no recorded history',
      { profile: profile({ historySince: null }) },
      'YELLOW',
      false,
      false,
      ['ENTERPRISE_HISTORY_SHORT'],
      {},
    ],
    [
      'enterprise not on file',
      { profile: null },
      'YELLOW',
      false,
      false,
      ['ENTERPRISE_NOT_ON_FILE'],
      { tier: 'PASS', history: 'FAIL', paperless: 'PASS' },
    ],
    [
      'not on file, even if it would be selected',
      { profile: null, declarationId: SELECTED },
      'YELLOW',
      false,
      false,
      ['ENTERPRISE_NOT_ON_FILE'],
      { 'random-selection': 'SKIPPED' },
    ],
    [
      'not on file, alert matched',
      { profile: null, matchedAlerts: [alert()] },
      'RED',
      true,
      false,
      ['RISK_ALERT_MATCH', 'ENTERPRISE_NOT_ON_FILE'],
      {},
    ],
    [
      'discredited, paperless',
      { profile: discredited },
      'YELLOW',
      false,
      false,
      ['DOCUMENT_URI_REQUIRED', 'DOCUMENT_URI_REQUIRED'],
      { paperless: 'FAIL' },
    ],
    [
      'discredited, one document without uri',
      {
        profile: discredited,
        documents: [withUri(INVOICE), PACKING],
        documentResults: { 'INV-1': { status: 'MATCH' } },
      },
      'YELLOW',
      false,
      false,
      ['DOCUMENT_URI_REQUIRED'],
      { paperless: 'FAIL', 'document-verification': 'PASS' },
    ],
    [
      'discredited, documents verified, draw above 85%',
      { profile: discredited, ...results({ status: 'MATCH' }) },
      'GREEN',
      false,
      false,
      [],
      { paperless: 'PASS' },
    ],
    // random selection -> RED, not a hard stop
    [
      'randomly selected',
      { declarationId: SELECTED },
      'RED',
      false,
      true,
      ['RANDOMLY_SELECTED'],
      { 'random-selection': 'FAIL' },
    ],
    [
      'selected id, but YELLOW first',
      { declarationId: SELECTED, documents: [INVOICE] },
      'YELLOW',
      false,
      false,
      ['REQUIRED_DOCUMENT_MISSING'],
      { 'random-selection': 'SKIPPED' },
    ],
    // order: a hard stop first, then the criteria found as well
    [
      'hard stop and a missing document',
      { matchedAlerts: [alert()], documents: [INVOICE] },
      'RED',
      true,
      false,
      ['RISK_ALERT_MATCH', 'REQUIRED_DOCUMENT_MISSING'],
      {},
    ],
  ])('%s', (_name, over, lane, hardStop, randomlySelected, codes, outcomes) => {
    const sut = decideLane(input(over), DEFAULT_RULES, KEY);
    expect(sut).toMatchObject({ lane, hardStop, randomlySelected });
    expect(sut.reasons.map((r) => r.code)).toEqual(codes);
    for (const r of sut.reasons) expect(r.message && r.messageZh).toBeTruthy();
    // Every check is listed, with a detail, whatever decided.
    const names = sut.checks.map((c) => c.name);
    expect(names.slice(0, ALL_CHECKS.length - 1)).toEqual(ALL_CHECKS.slice(0, -1));
    expect(names[names.length - 1]).toBe(CHECK.randomSelection);
    for (const c of sut.checks) expect(c.detail).not.toBe('');
    const byName = Object.fromEntries(sut.checks.map((c) => [c.name, c.outcome]));
    expect(byName).toMatchObject(outcomes);
  });

  it('names the matched alert, the lines and the destination', () => {
    const sut = decideLane(
      input({
        lines: [
          { lineNo: 1, hsCode: '8471300000' },
          { lineNo: 3, hsCode: '8471490000' },
        ],
        matchedAlerts: [alert()],
      }),
      DEFAULT_RULES,
      KEY,
    );
    expect(sut.reasons[0].message).toContain('RA-9');
    expect(sut.reasons[0].message).toContain('line 1 (8471300000), 3 (8471490000) to JP');
    expect(sut.checks[1].detail).toBe('matched: RA-9 on lines 1, 3');
  });

  it('explains the draw against the rate, with zones', () => {
    const p = profile({
      zones: [{ zoneId: 'Z1', name: 'Ningbo', level: 'NATIONAL', industry: 'fasteners' }],
    });
    const sut = decideLane(input({ declarationId: SELECTED, profile: p }), DEFAULT_RULES, KEY);
    expect(sut.checks.at(-1)!.detail).toMatch(
      /^selected: draw 0\.00\d+ < rate 0\.0125 \(tier REGULAR, zones NATIONAL\)$/,
    );
  });

  it('is deterministic: the same input and key give the same decision', () => {
    const a = decideLane(input({ declarationId: SELECTED }), DEFAULT_RULES, KEY);
    expect(decideLane(input({ declarationId: SELECTED }), DEFAULT_RULES, KEY)).toEqual(a);
  });

  it('carries the approval, the category and the ruleset version', () => {
    expect(decideLane(input(), DEFAULT_RULES, KEY)).toMatchObject({
      greenChannelApproved: true,
      enterpriseCategory: 2,
      rulesetVersion: DEFAULT_RULES.version,
    });
    expect(decideLane(input({ approvalStatus: 'SUSPENDED' }), DEFAULT_RULES, KEY).greenChannelApproved).toBe(
      false,
    );
    expect(decideLane(input({ profile: null }), DEFAULT_RULES, KEY).enterpriseCategory).toBeNull();
  });

  it('refuses a malformed clock', () => {
    expect(() => decideLane(input({ asOf: '2026-3-10' }), DEFAULT_RULES, KEY)).toThrow(RangeError);
  });
});

describe('documentsToVerify', () => {
  it('is the documents with a uri: none means no slow path', () => {
    expect(documentsToVerify([INVOICE, withUri(PACKING), { ...INVOICE, uri: '' }])).toEqual([
      withUri(PACKING),
    ]);
    expect(documentsToVerify([INVOICE, PACKING])).toEqual([]);
  });
});
