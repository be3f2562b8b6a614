import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allTopics,
  buildAsyncApi,
  CONTRACTS_VERSION,
  envelopeJsonSchema,
  topicByName,
  Topics,
} from './index';

const fixturesDir = join(__dirname, '../fixtures');
const docsDir = join(__dirname, '../../../docs/contracts');

function fixturesOf(topic: string): Array<[string, unknown]> {
  const dir = join(fixturesDir, topic);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))]);
}

describe('topic registry', () => {
  it('names every DESIGN.md v1 topic once', () => {
    expect(allTopics.map((t) => t.name).sort()).toEqual([
      'customs.declaration.submitted.v1',
      'inspection.clearance.decided.v1',
      'inspection.declaration.accepted.v1',
      'inspection.declaration.rejected.v1',
      'inspection.exemption.decided.v1',
      'inspection.exemption.grant-changed.v1',
      'inspection.greenchannel.decided.v1',
      'inspection.origin.decided.v1',
      'inspection.result.recorded.v1',
      'platform.api-key.changed.v1',
    ]);
    expect(topicByName('inspection.clearance.decided.v1')).toBe(Topics.ClearanceDecidedV1);
    expect(topicByName('inspection.clearance.decided.v2')).toBeUndefined();
  });
});

// Compatibility: fixtures are frozen examples that consumers in the field may still send. A change to a
// v1 schema that makes any of them invalid is a breaking change and needs a v2 topic instead.
describe.each(allTopics.map((t) => [t.name, t] as const))('%s', (name, topic) => {
  const fixtures = fixturesOf(name);

  it('has at least one frozen fixture', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)('fixture %s stays valid', (_file, event) => {
    const result = topic.envelope.safeParse(event);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('refuses an envelope of another type', () => {
    const [, event] = fixtures[0];
    const wrong = { ...(event as object), type: 'inspection.something.else.v1' };
    expect(topic.envelope.safeParse(wrong).success).toBe(false);
  });

  it('refuses an envelope without data', () => {
    const [, event] = fixtures[0];
    const { data: _data, ...rest } = event as Record<string, unknown>;
    expect(topic.envelope.safeParse(rest).success).toBe(false);
  });
});

describe('field formats', () => {
  const base = fixturesOf(Topics.DeclarationSubmittedV1.name)[0][1] as { data: Record<string, unknown> };
  const withData = (patch: Record<string, unknown>) => ({ ...base, data: { ...base.data, ...patch } });

  it.each([
    ['portOfExit', { portOfExit: 'CN NGB' }, '/portOfExit'],
    ['destinationCountry', { destinationCountry: 'JPN' }, '/destinationCountry'],
    ['departureDate', { departureDate: '10/11/2026' }, '/departureDate'],
    ['goods empty', { goods: [] }, '/goods'],
  ])('rejects a bad %s with a path to the field', (_name, patch, pointer) => {
    const result = Topics.DeclarationSubmittedV1.envelope.safeParse(withData(patch));
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => '/' + i.path.slice(1).join('/'));
    expect(paths).toContain(pointer);
  });
});

describe('generated documents', () => {
  it('docs/contracts matches the schemas (run npm run contracts:docs after a change)', () => {
    for (const topic of allTopics) {
      const committed = JSON.parse(readFileSync(join(docsDir, 'schemas', `${topic.name}.json`), 'utf8'));
      expect(committed).toEqual(envelopeJsonSchema(topic));
    }
    const asyncapi = JSON.parse(readFileSync(join(docsDir, 'asyncapi.json'), 'utf8'));
    expect(asyncapi).toEqual(buildAsyncApi(CONTRACTS_VERSION));
    expect(asyncapi.asyncapi).toBe('3.0.0');
    expect(Object.keys(asyncapi.channels)).toHaveLength(allTopics.length);
  });
});
