import { buildEvent, defineTopic } from '@cic/contracts';
import { z } from 'zod';
import { decodeEvent } from './codec';
import { headersToStrings } from './headers';

const sut = defineTopic({
  name: 'unit.codec.sample.v1',
  summary: 'sample',
  key: 'k',
  producer: 'declaration-intake',
  consumers: [],
  data: z.object({ n: z.number().int() }),
});
const encode = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('decodeEvent', () => {
  it('returns the typed envelope of a valid event', () => {
    const event = buildEvent(sut.name, { subject: 's', source: 'urn:x', data: { n: 1 } });
    expect(decodeEvent(sut, encode(event))).toEqual({ ok: true, event });
  });

  it.each([
    ['an empty value', null, 'EMPTY_MESSAGE'],
    ['bytes that are not JSON', '{"n":', 'MALFORMED_JSON'],
    ['JSON that is no CloudEvent', { n: 1 }, 'INVALID_ENVELOPE'],
    [
      'an event of another type',
      buildEvent('unit.other.v1', { subject: 's', source: 'urn:x', data: { n: 1 } }),
      'TYPE_MISMATCH',
    ],
    [
      'data that breaks the schema',
      buildEvent(sut.name, { subject: 's', source: 'urn:x', data: { n: 'one' } }),
      'INVALID_PAYLOAD',
    ],
  ])('refuses %s with %s', (_name, value, code) => {
    const result = decodeEvent(sut, value === null ? null : encode(value));
    expect(result).toMatchObject({ ok: false, code });
    expect(result.ok ? '' : result.message.length).toBeGreaterThan(0);
  });

  it('leaves the data to the handler when asked to check the envelope only', () => {
    const event = buildEvent(sut.name, { subject: 's', source: 'urn:x', data: { n: 'one' } });
    expect(decodeEvent(sut, encode(event), false)).toMatchObject({ ok: true });
  });

  it('names the offending field of an invalid payload', () => {
    const event = buildEvent(sut.name, { subject: 's', source: 'urn:x', data: { n: 'one' } });
    const result = decodeEvent(sut, encode(event));
    expect(result.ok ? '' : result.message).toContain('/data/n');
  });
});

describe('headersToStrings', () => {
  it('keeps the last value of repeated headers and drops undefined ones', () => {
    expect(headersToStrings({ a: Buffer.from('x'), b: ['1', Buffer.from('2')], c: undefined })).toEqual({
      a: 'x',
      b: '2',
    });
  });
});
