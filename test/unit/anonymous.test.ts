import { randomUUID } from 'node:crypto';
import { ANONYMOUS_ID_PATTERN, readAnonymousId } from '../../functions/lib/auth/anonymous';

const UUID = '739bb5b7-3236-4cbd-8132-b281bbe83b42';

describe('anonymous id', () => {
  it('accepts a UUID offered as the only subprotocol', () => {
    expect(readAnonymousId(UUID)).toEqual({ ok: true, userId: UUID });
  });

  it('accepts what crypto.randomUUID() makes', () => {
    const id = randomUUID();
    expect(readAnonymousId(id)).toEqual({ ok: true, userId: id });
  });

  it('trims blanks around the offered id', () => {
    expect(readAnonymousId(`  ${UUID} `)).toEqual({ ok: true, userId: UUID });
  });

  it.each([
    ['16 characters, the shortest allowed', 'a'.repeat(16)],
    ['128 characters, the longest allowed', 'Z'.repeat(128)],
    ['underscores and dashes', 'user_id-0123456789'],
  ])('accepts %s', (_label, id) => {
    expect(readAnonymousId(id)).toEqual({ ok: true, userId: id });
  });

  it.each([undefined, '', ' , ,'])('reports no_subprotocol for %j', (header) => {
    expect(readAnonymousId(header)).toEqual({ ok: false, reason: 'no_subprotocol' });
  });

  it.each([`${UUID}, ${UUID}`, `ws-sessions.v1, ${UUID}`, `${UUID},other-protocol-value`])('reports multiple_subprotocols for %j', (header) => {
    expect(readAnonymousId(header)).toEqual({ ok: false, reason: 'multiple_subprotocols' });
  });

  it.each([
    ['15 characters', 'a'.repeat(15)],
    ['129 characters', 'a'.repeat(129)],
    ['a huge id', 'a'.repeat(100_000)],
    ['a dot', 'ws-sessions.v1.abcdef'],
    ['a slash', '739bb5b7/3236/4cbd/8132'],
    ['an inner space', '739bb5b7 3236-4cbd-8132'],
    ['a trailing newline kept inside', '739bb5b7-3236-4cbd\n-8132'],
    ['non-ASCII letters', 'ünïcödé-ünïcödé-ünïcödé'],
    ['a bearer token', 'bearer.eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ'],
    ['an equals sign', 'XfGLwcMrtjMCFpA=XfGLwcMrtjMCFpA='],
  ])('reports malformed_anonymous_id for %s', (_label, id) => {
    expect(readAnonymousId(id)).toEqual({ ok: false, reason: 'malformed_anonymous_id' });
  });

  it('pattern anchors at both ends', () => {
    expect(ANONYMOUS_ID_PATTERN.test(`${UUID}\n`)).toBe(false);
    expect(ANONYMOUS_ID_PATTERN.test(`!${UUID}`)).toBe(false);
    expect(ANONYMOUS_ID_PATTERN.test(`${UUID}!`)).toBe(false);
  });
});
