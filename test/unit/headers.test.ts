import { getHeader, offeredProtocols } from '../../functions/lib/protocol/headers';

describe('getHeader', () => {
  it.each(['Origin', 'origin', 'ORIGIN', 'oRiGiN'])('finds Origin when asked for %j', (name) => {
    expect(getHeader({ headers: { Origin: 'https://app.example.com' } }, name)).toBe('https://app.example.com');
  });

  it('finds a header sent in lower case', () => {
    expect(getHeader({ headers: { 'sec-websocket-protocol': 'abc' } }, 'Sec-WebSocket-Protocol')).toBe('abc');
  });

  it('joins repeated headers from multiValueHeaders with ", "', () => {
    const event = {
      headers: { 'Sec-WebSocket-Protocol': 'b' },
      multiValueHeaders: { 'Sec-WebSocket-Protocol': ['a', 'b'] },
    };
    expect(getHeader(event, 'sec-websocket-protocol')).toBe('a, b');
  });

  it('prefers multiValueHeaders over headers', () => {
    const event = { headers: { Origin: 'https://last.example.com' }, multiValueHeaders: { origin: ['https://first.example.com'] } };
    expect(getHeader(event, 'Origin')).toBe('https://first.example.com');
  });

  it('falls back to headers when the multi-value entry is empty', () => {
    expect(getHeader({ headers: { Origin: 'https://a.com' }, multiValueHeaders: { Origin: [] } }, 'Origin')).toBe('https://a.com');
  });

  it('keeps an empty value', () => {
    expect(getHeader({ headers: { 'x-api-key': '' }, multiValueHeaders: { 'x-api-key': [''] } }, 'X-Api-Key')).toBe('');
  });

  it.each([
    ['no maps', {}],
    ['null maps', { headers: null, multiValueHeaders: null }],
    ['other headers only', { headers: { Host: 'h' }, multiValueHeaders: { Host: ['h'] } }],
    ['a name that only starts the same', { headers: { 'Origin-Extra': 'x' } }],
  ])('returns undefined with %s', (_label, event) => {
    expect(getHeader(event, 'Origin')).toBeUndefined();
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('does not read %j from the prototype', (name) => {
    expect(getHeader({ headers: {}, multiValueHeaders: {} }, name)).toBeUndefined();
  });
});

describe('offeredProtocols', () => {
  it.each([
    [undefined, []],
    ['', []],
    [' , ', []],
    ['chat', ['chat']],
    ['chat, superchat', ['chat', 'superchat']],
    ['chat,superchat', ['chat', 'superchat']],
    ['  a ,, b ,', ['a', 'b']],
  ])('splits %j into %j', (header, expected) => {
    expect(offeredProtocols(header)).toEqual(expected);
  });
});
