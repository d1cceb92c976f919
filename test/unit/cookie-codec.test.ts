import { createCipheriv, randomBytes } from 'node:crypto';
import { openCookie, parseKeySet, sealCookie, CLOCK_SKEW_SECONDS, COOKIE_VERSION, MAX_REFERENCE_LENGTH, SessionCookieInputError, type CookieKeySet } from '../../packages/sessions/src/cookie';
import { keySet, keySetJson, rotate } from '../helpers/cookie-keys';

const NAME = '__Host-session';
const ISSUED = 1_800_000_000;
const EXPIRES = ISSUED + 3600;

const seal = (keys: CookieKeySet, sessionId = 'us_01HZX4', times = { issuedAt: ISSUED, expiresAt: EXPIRES }, userId = 'user-7') =>
  sealCookie({ keys, cookieName: NAME, userId, sessionId, ...times });

/** Seals any plaintext under the current key with the given version byte: what a key holder could seal besides our layout. */
function sealRaw(keys: CookieKeySet, version: number, plain: Buffer): string {
  const { id, key } = keys.current;
  const header = Buffer.concat([Buffer.from([version, id.length]), Buffer.from(id, 'ascii')]);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  cipher.setAAD(Buffer.concat([Buffer.from(NAME), Buffer.alloc(1), header]));
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([header, nonce, sealed, cipher.getAuthTag()]).toString('base64url');
}
const times = (): Buffer => {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt32BE(ISSUED, 0);
  bytes.writeUInt32BE(EXPIRES, 4);
  return bytes;
};
/** The version 2 plaintext with a user id length field that may lie about the user id's bytes. */
const plainV2 = (user: Buffer, sessionId: string, userLength = user.length): Buffer => {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(userLength);
  return Buffer.concat([times(), length, user, Buffer.from(sessionId, 'latin1')]);
};
const open = (keys: CookieKeySet, value: string, nowSeconds = ISSUED + 10, cookieName = NAME) => openCookie({ keys, cookieName, value, nowSeconds });

describe('the sealed session cookie', () => {
  const keys = keySet('k1');

  it('opens to the user, session reference, times and key id it was sealed with', () => {
    expect(open(keys, seal(keys))).toEqual({ ok: true, session: { userId: 'user-7', sessionId: 'us_01HZX4', issuedAt: ISSUED, expiresAt: EXPIRES, keyId: 'k1' } });
  });

  it('is base64url without padding, version 2 first, the key id in clear and nothing else readable', () => {
    const value = seal(keys, 'session-reference-in-the-clear', undefined, 'user-name-in-the-clear');
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    const bytes = Buffer.from(value, 'base64url');
    expect([COOKIE_VERSION, bytes[0], bytes[1], bytes.subarray(2, 4).toString()]).toEqual([2, 2, 2, 'k1']);
    expect(bytes.toString('latin1')).not.toContain('session-reference');
    expect(bytes.toString('latin1')).not.toContain('user-name');
  });

  it('carries a user id of 256 characters of four UTF-8 bytes each, and one of any character the identity allows', () => {
    for (const userId of ['😀'.repeat(256), 'é', 'a b;c=d"e,f\\', 'x']) {
      expect(open(keys, seal(keys, 'S1', undefined, userId))).toMatchObject({ ok: true, session: { userId, sessionId: 'S1' } });
    }
  });

  it('refuses a version 1 cookie (the session id without its user) as unsupported_version, so a reader treats it as no session', () => {
    const v1 = sealRaw(keys, 1, Buffer.concat([times(), Buffer.from('us_01HZX4')]));
    expect(open(keys, v1)).toEqual({ ok: false, reason: 'unsupported_version' });
  });

  it.each([
    ['an empty user id', plainV2(Buffer.alloc(0), 'S1')],
    ['a user id length past the end', plainV2(Buffer.from('u1'), 'S1', 200)],
    ['no session id after the user id', plainV2(Buffer.from('u1'), '')],
    ['a user id that is not UTF-8', plainV2(Buffer.from([0x75, 0xff]), 'S1')],
    ['a user id with a control character', plainV2(Buffer.from('u\n1'), 'S1')],
    ['a session id with a blank', plainV2(Buffer.from('u1'), 'S 1')],
  ])('refuses an authentic cookie of %s as malformed', (_label, plain) => {
    expect(open(keys, sealRaw(keys, COOKIE_VERSION, plain))).toEqual({ ok: false, reason: 'malformed' });
    expect(open(keys, sealRaw(keys, COOKIE_VERSION, plainV2(Buffer.from('u1'), 'S1')))).toMatchObject({ ok: true, session: { userId: 'u1', sessionId: 'S1' } });
  });

  it('seals two cookies of one session differently (a fresh nonce each)', () => {
    expect(seal(keys)).not.toBe(seal(keys));
  });

  it('refuses the cookie with any one byte flipped, whichever byte', () => {
    const bytes = Buffer.from(seal(keys), 'base64url');
    const reasons = new Set<string>();
    for (let index = 0; index < bytes.length; index += 1) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const flipped = Buffer.from(bytes);
        flipped[index] = flipped[index]! ^ mask;
        const result = open(keys, flipped.toString('base64url'));
        expect({ index, mask, ok: result.ok }).toEqual({ index, mask, ok: false });
        if (!result.ok) reasons.add(result.reason);
      }
    }
    // Header bytes fail the layout (version, key id); every later byte fails the tag.
    expect([...reasons].sort()).toEqual(['malformed', 'tampered', 'unknown_key', 'unsupported_version']);
  });

  it('refuses the text with any one character changed, including the last one whose low bits decode to nothing', () => {
    const value = seal(keys);
    for (let index = 0; index < value.length; index += 1) {
      const replacement = value[index] === 'A' ? 'B' : 'A';
      const changed = value.slice(0, index) + replacement + value.slice(index + 1);
      expect({ index, result: open(keys, changed).ok }).toEqual({ index, result: false });
    }
  });

  it('refuses a cookie sealed under another cookie name (the name is bound)', () => {
    expect(open(keys, seal(keys), ISSUED + 10, '__Host-other')).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses a cookie whose key id was swapped for another key of the set', () => {
    const both = keySet('k1', 'k2');
    const bytes = Buffer.from(seal(both), 'base64url');
    bytes.write('k1', 2, 'ascii');
    expect(open(both, bytes.toString('base64url'))).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses a cookie under a key id the set does not hold', () => {
    expect(open(keySet('k1'), seal(keySet('k9')))).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('refuses a cookie under a known key id but another secret', () => {
    expect(open(keySet('k1'), seal(keySet('k1')))).toEqual({ ok: false, reason: 'tampered' });
  });

  it('is read until the second it expires, and refused from then on', () => {
    const value = seal(keys);
    expect(open(keys, value, EXPIRES - 1).ok).toBe(true);
    expect(open(keys, value, EXPIRES)).toEqual({ ok: false, reason: 'expired' });
    expect(open(keys, value, EXPIRES + 86_400)).toEqual({ ok: false, reason: 'expired' });
  });

  it(`refuses a cookie issued more than ${CLOCK_SKEW_SECONDS} s in the future`, () => {
    const value = seal(keys);
    expect(open(keys, value, ISSUED - CLOCK_SKEW_SECONDS).ok).toBe(true);
    expect(open(keys, value, ISSUED - CLOCK_SKEW_SECONDS - 1)).toEqual({ ok: false, reason: 'not_yet_valid' });
  });

  describe('key rotation', () => {
    const before = keySetJson(['2026-10']);
    const after = rotate(before, '2026-11');

    it('reads cookies sealed under the old key after the rotation, until they expire', () => {
      const old = seal(parseKeySet(before));
      expect(open(parseKeySet(after), old)).toMatchObject({ ok: true, session: { keyId: '2026-10' } });
      expect(open(parseKeySet(after), old, EXPIRES)).toEqual({ ok: false, reason: 'expired' });
    });

    it('seals new cookies under the newest key, which the old set cannot read', () => {
      const fresh = seal(parseKeySet(after));
      expect(open(parseKeySet(after), fresh)).toMatchObject({ ok: true, session: { keyId: '2026-11' } });
      expect(open(parseKeySet(before), fresh)).toEqual({ ok: false, reason: 'unknown_key' });
    });

    it('refuses old cookies once the old key leaves the set', () => {
      const old = seal(parseKeySet(before));
      const retired = JSON.stringify({ keys: [JSON.parse(after).keys[1]], current: '2026-11' });
      expect(open(parseKeySet(retired), old)).toEqual({ ok: false, reason: 'unknown_key' });
    });
  });

  describe('strict parsing', () => {
    const value = seal(keys);
    const bytes = Buffer.from(value, 'base64url');
    const withBytes = (edit: (copy: Buffer) => Buffer): string => edit(Buffer.from(bytes)).toString('base64url');

    it.each([
      ['empty', '', 'malformed'],
      ['padded', `${value}=`, 'malformed'],
      ['in the standard base64 alphabet', `${value.slice(0, -2)}+/`, 'malformed'],
      ['split by a blank', `${value.slice(0, 10)} ${value.slice(10)}`, 'malformed'],
      ['quoted', `"${value}"`, 'malformed'],
      ['truncated to the header', value.slice(0, 10), 'malformed'],
      ['one byte short of the least layout', Buffer.alloc(2 + 1 + 12 + 8 + 2 + 1 + 1 + 16 - 1, 1).toString('base64url'), 'malformed'],
      ['longer than the largest layout', `${value}${'A'.repeat(2000)}`, 'malformed'],
      ['of key id length 0', withBytes((copy) => ((copy[1] = 0), copy)), 'malformed'],
      ['of key id length 33', withBytes((copy) => ((copy[1] = 33), copy)), 'malformed'],
      ['of a key id with a character outside the alphabet', withBytes((copy) => ((copy[2] = 0x2f), copy)), 'malformed'],
      ['of version 1', withBytes((copy) => ((copy[0] = 1), copy)), 'unsupported_version'],
      ['of version 3', withBytes((copy) => ((copy[0] = 3), copy)), 'unsupported_version'],
      // A length within bounds moves the tag: the layout parses, the tag does not match.
      ['missing its last byte', withBytes((copy) => copy.subarray(0, copy.length - 1)), 'tampered'],
      ['one byte longer', withBytes((copy) => Buffer.concat([copy, Buffer.from([0])])), 'tampered'],
    ])('refuses a value %s (%s)', (_label, bad, reason) => {
      expect(open(keys, bad)).toEqual({ ok: false, reason });
    });

  });

  describe('sealing', () => {
    it.each([
      ['an empty session id', '', {}],
      ['a session id with a blank', 'a b', {}],
      ['a session id with non-ASCII', 'séance', {}],
      [`a session id over ${MAX_REFERENCE_LENGTH} characters`, 'x'.repeat(MAX_REFERENCE_LENGTH + 1), {}],
      ['an expiry at the issue time', 'S1', { expiresAt: ISSUED }],
      ['a fractional expiry', 'S1', { expiresAt: EXPIRES + 0.5 }],
      ['an expiry past 2106', 'S1', { expiresAt: 2 ** 32 }],
      ['a negative issue time', 'S1', { issuedAt: -1 }],
    ])('throws SessionCookieInputError on %s', (_label, sessionId, bad) => {
      expect(() => seal(keys, sessionId, { issuedAt: ISSUED, expiresAt: EXPIRES, ...bad })).toThrow(SessionCookieInputError);
    });

    it.each([
      ['an empty user id', ''],
      ['a user id with a control character', 'u\u0000'],
      ['a user id with a lone surrogate', 'u\ud800'],
      ['a user id over 256 characters', 'u'.repeat(257)],
    ])('throws SessionCookieInputError on %s', (_label, userId) => {
      expect(() => seal(keys, 'S1', undefined, userId)).toThrow(SessionCookieInputError);
    });

    it(`seals a session id of ${MAX_REFERENCE_LENGTH} characters`, () => {
      const id = 'x'.repeat(MAX_REFERENCE_LENGTH);
      expect(open(keys, seal(keys, id))).toMatchObject({ ok: true, session: { sessionId: id } });
    });
  });
});
