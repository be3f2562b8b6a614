import { assessLine as sut } from './line.rules';
import { allOf, anyOf, CTH, CTSH, rvc } from './origin-rule';
import { lineInput, material } from './testing/fixtures';
import type { PsrEntry } from './psr.table';
import { DEFAULT_ORIGIN_RULES } from './rules.config';

const usd = (amount: string) => ({ amount, currency: 'USD' });

// FOB is 1000.00 USD throughout unless a case says otherwise, so a material's value is its per mille.

describe('assessLine: regional value content', () => {
  // Buses (8702) take RVC40 alone: no tariff-shift alternative can rescue a case.
  const bus = { hsCode: '8702109000' };
  it.each`
    case                                           | fob                          | nonOriginating              | met      | shown
    ${'exactly 40.00% passes'}                     | ${'1000.00'}                 | ${'600.00'}                 | ${true}  | ${'40.00'}
    ${'39.999% fails and shows 39.99, not 40.00'}  | ${'1000.00'}                 | ${'600.01'}                 | ${false} | ${'39.99'}
    ${'40.001% passes and shows 40.00'}            | ${'1000.00'}                 | ${'599.99'}                 | ${true}  | ${'40.00'}
    ${'exactly 40% of an FOB of 7 passes'}         | ${'7'}                       | ${'4.2'}                    | ${true}  | ${'40.00'}
    ${'a hair under 40% of 7 (39.99998...) fails'} | ${'7'}                       | ${'4.200001'}               | ${false} | ${'39.99'}
    ${'large amounts stay exact'}                  | ${'1000000000000000.000001'} | ${'600000000000000.000001'} | ${false} | ${'39.99'}
    ${'non-originating above FOB: negative RVC'}   | ${'1000.00'}                 | ${'1200.005'}               | ${false} | ${'-20.01'}
  `('$case', ({ fob, nonOriginating, met, shown }) => {
    const line = sut(
      lineInput({
        ...bus,
        fob: { amount: fob, currency: 'USD' },
        materials: [material('840820', 'US', nonOriginating)],
      }),
    );
    expect(line).toMatchObject({ met, rule: 'RVC40', rvc: shown });
    expect(line.reason.code).toBe(met ? 'PSR_MET' : 'PSR_NOT_MET');
    expect(line.reason.message).toContain(`RVC ${shown}% (build-down)`);
  });

  describe('build-down and build-up on the same data', () => {
    // FOB 1000: originating CN 300, non-originating US 500, so 200 of the FOB is neither (labour, profit...).
    const materials = [material('730890', 'CN', '300.00'), material('840820', 'US', '500.00')];
    it.each`
      case                                             | rvcMethod       | costs                                                                             | met      | shown
      ${'build-down: (1000 - 500) / 1000 = 50%'}       | ${'BUILD_DOWN'} | ${undefined}                                                                      | ${true}  | ${'50.00'}
      ${'build-up without costs counts VOM only: 30%'} | ${'BUILD_UP'}   | ${undefined}                                                                      | ${false} | ${'30.00'}
      ${'build-up with costs: (300 + 100) / 1000'}     | ${'BUILD_UP'}   | ${{ labour: usd('60'), overhead: usd('20'), profit: usd('15'), other: usd('5') }} | ${true}  | ${'40.00'}
      ${'build-down ignores costs'}                    | ${'BUILD_DOWN'} | ${{ labour: usd('400') }}                                                         | ${true}  | ${'50.00'}
    `('$case', ({ rvcMethod, costs, met, shown }) => {
      const line = sut(lineInput({ ...bus, materials, rvcMethod, costs }));
      expect(line).toMatchObject({ met, rvc: shown });
      const [evaluation] = line.details.evaluations;
      expect(evaluation).toMatchObject({ kind: 'RVC', method: rvcMethod, threshold: '40' });
    });

    it('uses build-down when no method is named', () => {
      expect(sut(lineInput({ ...bus, materials })).details.evaluations[0]).toMatchObject({
        method: 'BUILD_DOWN',
      });
    });
  });
});

describe('assessLine: change in tariff classification', () => {
  // Tables with a single tariff-shift rule, so an RVC alternative cannot hide the outcome.
  const only = (prefix: string, rule: PsrEntry['rules']['RCEP']) => ({
    entries: [{ prefix, description: 'test', rules: { RCEP: rule, CHINA_ASEAN: rule } }],
    version: 'test',
  });

  it.each`
    case                                                             | hsCode          | rule      | materials                                                                   | met      | offending
    ${'CTH: screws (7318) into a gearbox (8708) change heading'}     | ${'8708409990'} | ${'CTH'}  | ${[material('731815', 'US', '700.00')]}                                     | ${true}  | ${[]}
    ${'CTH: a gearbox part (8708) stays in heading 8708'}            | ${'8708409990'} | ${'CTH'}  | ${[material('731815', 'US', '100.00'), material('870899', 'US', '700.00')]} | ${false} | ${['870899']}
    ${'CTH: an originating part of the same heading is fine'}        | ${'8708409990'} | ${'CTH'}  | ${[material('870899', 'CN', '700.00')]}                                     | ${true}  | ${[]}
    ${'CTSH: IC parts (854290) into ICs (854231) change subheading'} | ${'8542310000'} | ${'CTSH'} | ${[material('854290', 'US', '700.00')]}                                     | ${true}  | ${[]}
    ${'CTSH: ICs (854231) into ICs (854231) do not'}                 | ${'8542310000'} | ${'CTSH'} | ${[material('854231', 'US', '700.00')]}                                     | ${false} | ${['854231']}
    ${'CC: yarn (ch. 55) into socks (ch. 61) changes chapter'}       | ${'6115950000'} | ${'CC'}   | ${[material('550921', 'US', '700.00')]}                                     | ${true}  | ${[]}
    ${'CC: knitted parts (6117) into socks (6115) do not'}           | ${'6115950000'} | ${'CC'}   | ${[material('611780', 'US', '700.00')]}                                     | ${false} | ${['611780']}
    ${'CC: another heading of chapter 61 is still chapter 61'}       | ${'6115950000'} | ${'CC'}   | ${[material('610910', 'US', '700.00')]}                                     | ${false} | ${['610910']}
  `('$case', ({ hsCode, rule, materials, met, offending }) => {
    const line = sut(lineInput({ hsCode, materials }), undefined, only(hsCode.slice(0, 4), { kind: rule }));
    expect(line.met).toBe(met);
    expect(line.rule).toBe(rule);
    expect(line.rvc).toBeUndefined();
    expect(line.details.offendingMaterials.map((m) => m.hsCode)).toEqual(offending);
  });

  it('names the offending materials of a failed CTH, in both languages', () => {
    const line = sut(
      lineInput({ materials: [material('731815', 'US', '100.00'), material('870899', undefined, '700.00')] }),
      undefined,
      only('8708', CTH),
    );
    expect(line.details.offendingMaterials).toEqual([
      { position: 2, hsCode: '870899', value: { amount: '700.00', currency: 'USD' } },
    ]);
    expect(line.reason.message).toContain('#2 870899 (origin undetermined, 700.00 USD) stay in heading 8708');
    expect(line.reason.message).toContain('70.00% of FOB, above the 10% de minimis');
    expect(line.reason.messageZh).toContain('#2 870899（原产地不明，700.00 USD）未改变品目8708');
  });

  describe('de minimis (RCEP Art. 3.7, 10% of FOB)', () => {
    it.each`
      case                                | value        | met      | share
      ${'exactly 10% passes'}             | ${'100.00'}  | ${true}  | ${'10.00'}
      ${'just over 10% fails'}            | ${'100.01'}  | ${false} | ${'10.01'}
      ${'10.0001% fails and shows 10.01'} | ${'100.001'} | ${false} | ${'10.01'}
      ${'under 10% passes'}               | ${'99.99'}   | ${true}  | ${'10.00'}
    `('$case', ({ value, met, share }) => {
      // Socks under RCEP: CC. The chapter 61 material does not change chapter; the yarn does.
      const line = sut(
        lineInput({
          hsCode: '6115950000',
          materials: [material('550921', 'US', '600.00'), material('611780', 'US', value)],
        }),
      );
      expect(line).toMatchObject({ rule: 'CC', met });
      expect(line.details.deMinimis).toEqual({ share, limit: '10', met });
      expect(line.details.offendingMaterials.map((m) => m.hsCode)).toEqual(['611780']);
    });

    it('sums every material that does not change', () => {
      const line = sut(
        lineInput({
          hsCode: '6115950000',
          materials: [material('611780', 'US', '60.00'), material('611710', undefined, '40.01')],
        }),
      );
      expect(line.met).toBe(false);
      expect(line.details.deMinimis).toEqual({ share: '10.01', limit: '10', met: false });
    });

    it('takes its limit from the rules', () => {
      const line = sut(lineInput({ hsCode: '6115950000', materials: [material('611780', 'US', '150.00')] }), {
        ...DEFAULT_ORIGIN_RULES,
        deMinimisPercent: '15',
      });
      expect(line.met).toBe(true);
    });
  });
});

describe('assessLine: accumulation and undetermined origin', () => {
  it.each`
    case                                                      | agreement        | origin       | met
    ${'a JP material is originating under RCEP'}              | ${'RCEP'}        | ${'JP'}      | ${true}
    ${'a JP material is not originating under China-ASEAN'}   | ${'CHINA_ASEAN'} | ${'JP'}      | ${false}
    ${'a VN material is originating under China-ASEAN'}       | ${'CHINA_ASEAN'} | ${'VN'}      | ${true}
    ${'a US material is originating under neither'}           | ${'RCEP'}        | ${'US'}      | ${false}
    ${'a material of undetermined origin is non-originating'} | ${'RCEP'}        | ${undefined} | ${false}
  `('PE: $case', ({ agreement, origin, met }) => {
    const line = sut(
      lineInput({
        agreement,
        criterion: 'PE',
        materials: [material('720851', 'CN', '200.00'), material('870899', origin, '500.00')],
      }),
    );
    expect(line).toMatchObject({ met, rule: 'PE', criterion: 'PE' });
    expect(line.reason.code).toBe(met ? 'PE_MET' : 'PE_NOT_MET');
    expect(line.details.nonOriginatingMaterials.map((m) => m.position)).toEqual(met ? [] : [2]);
  });

  it('counts a JP material in RVC under RCEP (100%) but not under China-ASEAN (50%)', () => {
    const materials = [material('840820', 'JP', '500.00')];
    const rcep = sut(lineInput({ hsCode: '8702109000', agreement: 'RCEP', materials }));
    const acfta = sut(lineInput({ hsCode: '8702109000', agreement: 'CHINA_ASEAN', materials }));
    expect([rcep.rvc, acfta.rvc]).toEqual(['100.00', '50.00']);
  });

  it('counts undetermined origin as non-originating in build-down', () => {
    const line = sut(
      lineInput({ hsCode: '8702109000', materials: [material('840820', undefined, '650.00')] }),
    );
    expect(line).toMatchObject({ met: false, rvc: '35.00' });
  });
});

describe('assessLine: wholly obtained (WO) and produced from originating materials (PE)', () => {
  it.each`
    case                                                   | criterion | materials                                                                 | met
    ${'WO with no materials (grown, mined) passes'}        | ${'WO'}   | ${[]}                                                                     | ${true}
    ${'WO from materials of the exporting country passes'} | ${'WO'}   | ${[material('440391', 'CN', '300.00')]}                                   | ${true}
    ${'WO with a non-party material fails'}                | ${'WO'}   | ${[material('440391', 'CN', '300.00'), material('320890', 'US', '1.00')]} | ${false}
    ${'WO with an undetermined material fails'}            | ${'WO'}   | ${[material('440391', undefined, '1.00')]}                                | ${false}
    ${"WO with another party's material fails (claim PE)"} | ${'WO'}   | ${[material('440391', 'VN', '300.00')]}                                   | ${false}
    ${"PE with another party's material passes"}           | ${'PE'}   | ${[material('440391', 'VN', '300.00')]}                                   | ${true}
    ${'PE with a non-party material fails, however small'} | ${'PE'}   | ${[material('440391', 'CN', '300.00'), material('320890', 'US', '0.01')]} | ${false}
  `('$case', ({ criterion, materials, met }) => {
    const line = sut(lineInput({ hsCode: '4418730000', criterion, materials }));
    expect(line).toMatchObject({ met, rule: criterion });
    expect(line.rvc).toBeUndefined();
  });

  it('tells a WO claim with a party material to claim PE', () => {
    const line = sut(lineInput({ criterion: 'WO', materials: [material('440391', 'VN', '300.00')] }));
    expect(line.reason.message).toContain('qualify under PE, not WO');
    expect(line.details.offendingMaterials.map((m) => m.originCountry)).toEqual(['VN']);
  });
});

describe('assessLine: alternatives and combinations', () => {
  // 8708: RVC40 or CTH. A same-heading part (870899) fails CTH; its value decides RVC.
  it.each`
    case                                | materials                               | met      | rvc
    ${'RVC fails, CTH passes: met'}     | ${[material('731815', 'US', '700.00')]} | ${true}  | ${'30.00'}
    ${'RVC passes, CTH fails: met'}     | ${[material('870899', 'US', '300.00')]} | ${true}  | ${'70.00'}
    ${'both fail: not met, both named'} | ${[material('870899', 'US', '700.00')]} | ${false} | ${'30.00'}
    ${'both pass: met'}                 | ${[material('731815', 'US', '100.00')]} | ${true}  | ${'90.00'}
  `('RVC40 or CTH: $case', ({ materials, met, rvc: shown }) => {
    const line = sut(lineInput({ materials }));
    expect(line).toMatchObject({ met, rule: 'RVC40 or CTH', rvc: shown });
    expect(line.details.evaluations.map((e) => e.kind)).toEqual(['RVC', 'CTH']);
    if (!met) {
      expect(line.reason.message).toContain('RVC 30.00% (build-down) is below 40%');
      expect(line.reason.message).toContain('#1 870899 (US, 700.00 USD) stay in heading 8708');
    }
  });

  const table = (rule: PsrEntry['rules']['RCEP']) => ({
    entries: [{ prefix: '8708', description: 'test', rules: { RCEP: rule, CHINA_ASEAN: rule } }],
    version: 'test',
  });
  it.each`
    case                                                | rule                                  | materials                               | met      | text
    ${'CTH and RVC40: CTH alone is not enough'}         | ${allOf(CTH, rvc('40'))}              | ${[material('731815', 'US', '700.00')]} | ${false} | ${'CTH and RVC40'}
    ${'CTH and RVC40: both pass'}                       | ${allOf(CTH, rvc('40'))}              | ${[material('731815', 'US', '500.00')]} | ${true}  | ${'CTH and RVC40'}
    ${'nested: CTH or (CTSH and RVC50), via the group'} | ${anyOf(CTH, allOf(CTSH, rvc('50')))} | ${[material('870899', 'US', '450.00')]} | ${true}  | ${'CTH or (CTSH and RVC50)'}
    ${'nested: the group fails on RVC'}                 | ${anyOf(CTH, allOf(CTSH, rvc('50')))} | ${[material('870899', 'US', '600.00')]} | ${false} | ${'CTH or (CTSH and RVC50)'}
  `('$case', ({ rule, materials, met, text }) => {
    const line = sut(lineInput({ materials }), undefined, table(rule));
    expect(line).toMatchObject({ met, rule: text });
  });
});

describe('assessLine: line data', () => {
  it.each`
    case                                     | change                                                        | code
    ${'a material in another currency'}      | ${{ materials: [material('731815', 'US', '100.00', 'EUR')] }} | ${'CURRENCY_MISMATCH'}
    ${'a build-up cost in another currency'} | ${{ costs: { labour: { amount: '10', currency: 'CNY' } } }}   | ${'CURRENCY_MISMATCH'}
    ${'a zero FOB'}                          | ${{ fob: { amount: '0.00', currency: 'USD' } }}               | ${'INVALID_LINE_DATA'}
    ${'a negative material value'}           | ${{ materials: [material('731815', 'US', '-1.00')] }}         | ${'INVALID_LINE_DATA'}
    ${'an amount in exponent form'}          | ${{ materials: [material('731815', 'US', '1e3')] }}           | ${'INVALID_LINE_DATA'}
    ${'a material HS code of 4 digits'}      | ${{ materials: [material('7318', 'US', '1.00')] }}            | ${'INVALID_LINE_DATA'}
  `('refuses $case without converting or guessing', ({ change, code }) => {
    const line = sut(lineInput(change));
    expect(line.met).toBe(false);
    expect(line.reason.code).toBe(code);
    expect(line.details.evaluations).toEqual([]);
    expect(line.details.problems?.length).toBeGreaterThan(0);
  });

  it('records the rule table entry it applied', () => {
    expect(sut(lineInput()).details.psr).toMatchObject({ prefix: '8708', tableVersion: expect.any(String) });
    expect(sut(lineInput({ hsCode: '9403600000' })).details.psr).toMatchObject({ prefix: null });
  });
});
