import {
  canonicalJson as sut,
  CanonicalJsonError,
  canonicalJsonBytes,
  signingPayload,
} from './canonical-json';

const fromBits = (hex: string): number => Buffer.from(hex, 'hex').readDoubleBE(0);
const hexBytes = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('canonicalJson (RFC 8785)', () => {
  it('reproduces the example of RFC 8785 section 3.2.2, byte for byte', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    );
    const expected =
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    expect(sut(input)).toBe(expected);
    // RFC 8785 section 3.2.4: the UTF-8 of the same output.
    expect(hexBytes(canonicalJsonBytes(input))).toBe(
      '7b226c69746572616c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a5b33333333' +
        '33333333332e333333333333332c31652b33302c342e352c302e3030322c31652d32375d2c22737472696e6722' +
        '3a22e282ac245c75303030665c6e4127425c225c5c5c5c5c222f227d',
    );
  });

  it('sorts members by UTF-16 code units (RFC 8785 section 3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(sut(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
        '"€":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","דּ":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  // RFC 8785 Appendix B: IEEE 754 bit patterns and their serialization.
  it.each`
    bits                  | text
    ${'0000000000000000'} | ${'0'}
    ${'8000000000000000'} | ${'0'}
    ${'0000000000000001'} | ${'5e-324'}
    ${'8000000000000001'} | ${'-5e-324'}
    ${'7fefffffffffffff'} | ${'1.7976931348623157e+308'}
    ${'ffefffffffffffff'} | ${'-1.7976931348623157e+308'}
    ${'4340000000000000'} | ${'9007199254740992'}
    ${'c340000000000000'} | ${'-9007199254740992'}
    ${'4430000000000000'} | ${'295147905179352830000'}
    ${'44b52d02c7e14af5'} | ${'9.999999999999997e+22'}
    ${'44b52d02c7e14af6'} | ${'1e+23'}
    ${'44b52d02c7e14af7'} | ${'1.0000000000000001e+23'}
    ${'444b1ae4d6e2ef4e'} | ${'999999999999999700000'}
    ${'444b1ae4d6e2ef4f'} | ${'999999999999999900000'}
    ${'444b1ae4d6e2ef50'} | ${'1e+21'}
    ${'3eb0c6f7a0b5ed8c'} | ${'9.999999999999997e-7'}
    ${'3eb0c6f7a0b5ed8d'} | ${'0.000001'}
    ${'41b3de4355555553'} | ${'333333333.3333332'}
    ${'41b3de4355555554'} | ${'333333333.33333325'}
    ${'41b3de4355555555'} | ${'333333333.3333333'}
    ${'41b3de4355555556'} | ${'333333333.3333334'}
    ${'41b3de4355555557'} | ${'333333333.33333343'}
    ${'becbf647612f3696'} | ${'-0.0000033333333333333333'}
    ${'43143ff3c1cb0959'} | ${'1424953923781206.2'}
  `('number $bits is $text', ({ bits, text }) => {
    expect(sut(fromBits(bits))).toBe(text);
    expect(sut([fromBits(bits)])).toBe(`[${text}]`);
  });

  it.each`
    case                               | value
    ${'NaN (7fffffffffffffff)'}        | ${fromBits('7fffffffffffffff')}
    ${'Infinity (7ff0000000000000)'}   | ${fromBits('7ff0000000000000')}
    ${'-Infinity'}                     | ${-Infinity}
    ${'a bigint'}                      | ${{ a: 1n }}
    ${'a Date'}                        | ${{ at: new Date(0) }}
    ${'a Map'}                         | ${new Map()}
    ${'a function'}                    | ${{ f: () => 1 }}
    ${'undefined in an array'}         | ${[1, undefined]}
    ${'undefined'}                     | ${undefined}
    ${'a lone high surrogate'}         | ${{ s: 'a\ud800' }}
    ${'a lone low surrogate in a key'} | ${{ ['\udc00']: 1 }}
  `('refuses $case', ({ value }) => {
    expect(() => sut(value)).toThrow(CanonicalJsonError);
  });

  it('names where the refused value is', () => {
    expect(() => sut({ lines: [{ fob: NaN }] })).toThrow('NaN has no JSON form at /lines/0/fob');
  });

  it('refuses a cycle but not a shared value', () => {
    const shared = { a: 1 };
    expect(sut({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => sut(cyclic)).toThrow(CanonicalJsonError);
  });

  it('leaves out members whose value is undefined, as JSON.stringify does', () => {
    expect(sut({ b: undefined, a: null, c: [] })).toBe('{"a":null,"c":[]}');
  });

  it('does not depend on the order members were written in', () => {
    expect(sut({ b: { d: 1, c: 2 }, a: '十' })).toBe(sut({ a: '十', b: { c: 2, d: 1 } }));
  });
});

describe('signingPayload', () => {
  const certificate = {
    number: 'R264403001230001',
    agreement: 'RCEP',
    issuedAt: '2026-03-10T02:00:00Z',
    validUntil: '2027-03-10',
    lines: [{ lineNo: 1, rvc: '45.00' }],
  };

  it('is the canonical UTF-8 of the certificate without its signature', () => {
    const signed = { ...certificate, signature: { algorithm: 'Ed25519', keyId: 'k1', value: 'AAAA' } };
    const payload = signingPayload(signed);
    expect(Buffer.from(payload).toString('utf8')).toBe(
      '{"agreement":"RCEP","issuedAt":"2026-03-10T02:00:00Z","lines":[{"lineNo":1,"rvc":"45.00"}],' +
        '"number":"R264403001230001","validUntil":"2027-03-10"}',
    );
    expect(payload).toEqual(signingPayload(certificate));
  });

  it('changes with any signed member', () => {
    const other = { ...certificate, validUntil: '2027-03-11' };
    expect(signingPayload(other)).not.toEqual(signingPayload(certificate));
  });

  it('leaves out the members named', () => {
    expect(Buffer.from(signingPayload({ a: 1, sig: 'x', keyId: 'k' }, ['sig'])).toString()).toBe(
      '{"a":1,"keyId":"k"}',
    );
  });

  it('refuses what is not a plain object', () => {
    expect(() => signingPayload([] as unknown as object)).toThrow(CanonicalJsonError);
  });
});
