import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ConfigError } from '../../packages/contract/src/config-error';
import { cookieAttributes, parseKeySet, sessionCookies, SessionCookieInputError, MAX_AGE_LIMIT_SECONDS, type CookieKeySet } from '../../packages/sessions/src/cookie';
import sample from '../fixtures/events/http-api-v2.json';
import { keySet, keySetJson, rotate } from '../helpers/cookie-keys';
import { parseSetCookie } from '../helpers/set-cookie';

const NOW = 1_800_000_000;
const clock = { seconds: NOW };
const now = () => clock.seconds * 1000;

/** The payload v2.0 sample with its cookies replaced (a function URL event has the same `cookies` and `headers`). */
const event = (cookies: string[] | undefined, headers: Record<string, string> = {}): APIGatewayProxyEventV2 =>
  ({ ...sample, cookies, headers: { ...sample.headers, ...headers } }) as APIGatewayProxyEventV2;

const valueOf = (header: string) => parseSetCookie(header).value;

describe('session cookies', () => {
  const keys = keySet('k1');
  const cookies = sessionCookies({ keys, attributes: cookieAttributes({}), now });
  beforeEach(() => {
    clock.seconds = NOW;
  });

  it('reads back the session written, from a payload v2.0 event beside other cookies', async () => {
    const header = await cookies.write({ userId: 'u-1', sessionId: 'us_1', expiresAt: NOW + 3600 });
    await expect(cookies.read(event(['theme=dark', `__Host-session=${valueOf(header)}`]))).resolves.toEqual({
      ok: true,
      session: { userId: 'u-1', sessionId: 'us_1', issuedAt: NOW, expiresAt: NOW + 3600, keyId: 'k1' },
    });
  });

  it('writes Max-Age as the remaining lifetime with every attribute', async () => {
    const header = await cookies.write({ userId: 'u-1', sessionId: 'us_1', expiresAt: NOW + 86_400 });
    expect(parseSetCookie(header)).toEqual({
      name: '__Host-session',
      value: expect.stringMatching(/^[A-Za-z0-9_-]{50,}$/),
      attributes: { 'max-age': '86400', path: '/', httponly: true, secure: true, samesite: 'Lax' },
    });
  });

  it('clears with an empty value, Max-Age=0 and the same Path, Domain and flags (or the browser keeps it)', () => {
    const scoped = sessionCookies({ keys, attributes: cookieAttributes({ name: 'sid', domain: 'example.com', path: '/app', sameSite: 'Strict' }) });
    expect(scoped.clear()).toBe('sid=; Max-Age=0; Path=/app; Domain=example.com; HttpOnly; Secure; SameSite=Strict');
  });

  it('reads the cookie header when the event has no cookies array', async () => {
    const value = valueOf(await cookies.write({ userId: 'u-1', sessionId: 'us_2', expiresAt: NOW + 60 }));
    await expect(cookies.read(event(undefined, { cookie: `a=1; __Host-session=${value}; b=2` }))).resolves.toMatchObject({ ok: true, session: { sessionId: 'us_2' } });
    await expect(cookies.read(event(undefined, { Cookie: `__Host-session=${value}` }))).resolves.toMatchObject({ ok: true });
  });

  it.each([
    ['no cookies at all', event(undefined), 'absent'],
    ['only other cookies', event(['theme=dark', 'session=x']), 'absent'],
    ['the name in another case', event(['__host-session=x']), 'absent'],
    ['an empty value', event(['__Host-session=']), 'malformed'],
    ['garbage', event(['__Host-session=%3Cscript%3E']), 'malformed'],
    ['no event', undefined, 'absent'],
    ['cookies that are not an array, and no header', { cookies: '__Host-session=x' as unknown as string[] }, 'absent'],
    ['a pair without =', event(['__Host-session']), 'absent'],
  ])('refuses %s (%s)', async (_label, request, reason) => {
    await expect(cookies.read(request)).resolves.toEqual({ ok: false, reason });
  });

  it('refuses two cookies of its name, even when both are valid (ambiguous)', async () => {
    const first = valueOf(await cookies.write({ userId: 'u-1', sessionId: 'us_a', expiresAt: NOW + 60 }));
    const second = valueOf(await cookies.write({ userId: 'u-1', sessionId: 'us_b', expiresAt: NOW + 60 }));
    await expect(cookies.read(event([`__Host-session=${first}`, `__Host-session=${second}`]))).resolves.toEqual({ ok: false, reason: 'ambiguous' });
    await expect(cookies.read(event([`__Host-session=${first}`, `__Host-session=${first}`]))).resolves.toEqual({ ok: false, reason: 'ambiguous' });
    await expect(cookies.read(event(undefined, { cookie: `__Host-session=${first}; __Host-session=${second}` }))).resolves.toEqual({ ok: false, reason: 'ambiguous' });
  });

  it('refuses the cookie once the session it carries has expired', async () => {
    const value = valueOf(await cookies.write({ userId: 'u-1', sessionId: 'us_1', expiresAt: NOW + 60 }));
    clock.seconds = NOW + 60;
    await expect(cookies.read(event([`__Host-session=${value}`]))).resolves.toEqual({ ok: false, reason: 'expired' });
  });

  it('reads old cookies after a rotation and writes new ones under the newest key', async () => {
    const before = keySetJson(['2026-10']);
    const current: { keys: CookieKeySet } = { keys: parseKeySet(before) };
    const rotating = sessionCookies({ keys: async () => current.keys, attributes: cookieAttributes({}), now });
    const old = valueOf(await rotating.write({ userId: 'u-1', sessionId: 'us_old', expiresAt: NOW + 3600 }));
    current.keys = parseKeySet(rotate(before, '2026-11'));
    await expect(rotating.read(event([`__Host-session=${old}`]))).resolves.toMatchObject({ ok: true, session: { sessionId: 'us_old', keyId: '2026-10' } });
    const fresh = valueOf(await rotating.write({ userId: 'u-1', sessionId: 'us_new', expiresAt: NOW + 3600 }));
    await expect(rotating.read(event([`__Host-session=${fresh}`]))).resolves.toMatchObject({ ok: true, session: { keyId: '2026-11' } });
  });

  it('reads back a user id of any characters the identity allows', async () => {
    const userId = 'ユーザー 🙂 "quoted"; a=b';
    const value = valueOf(await cookies.write({ userId, sessionId: 'us_1', expiresAt: NOW + 60 }));
    await expect(cookies.read(event([`__Host-session=${value}`]))).resolves.toMatchObject({ ok: true, session: { userId, sessionId: 'us_1' } });
  });

  it.each([
    ['an empty user id', { userId: '' }],
    ['a user id with a control character', { userId: 'u\n1' }],
    ['a user id over 256 characters', { userId: 'u'.repeat(257) }],
    ['no user id', { userId: undefined as unknown as string }],
  ])('refuses to write %s (SessionCookieInputError)', async (_label, bad) => {
    await expect(cookies.write({ sessionId: 'us_1', expiresAt: NOW + 60, ...bad })).rejects.toThrow(SessionCookieInputError);
  });

  it.each([
    ['an expiry now', NOW],
    ['an expiry in the past', NOW - 1],
    ['a fractional expiry', NOW + 1.5],
    ['an expiry past 400 days', NOW + MAX_AGE_LIMIT_SECONDS + 1],
  ])('refuses to write %s (SessionCookieInputError)', async (_label, expiresAt) => {
    await expect(cookies.write({ userId: 'u-1', sessionId: 'us_1', expiresAt })).rejects.toThrow(SessionCookieInputError);
  });

  it('writes a session of exactly 400 days', async () => {
    expect(parseSetCookie(await cookies.write({ userId: 'u-1', sessionId: 'us_1', expiresAt: NOW + MAX_AGE_LIMIT_SECONDS })).attributes['max-age']).toBe(String(MAX_AGE_LIMIT_SECONDS));
  });

  it('fails at creation with a ConfigError when no key set source is configured, or two are', () => {
    expect(() => sessionCookies({ env: {} })).toThrow(ConfigError);
    expect(() => sessionCookies({ env: { SESSION_COOKIE_KEYS_SSM_PARAMETER: '/p', SESSION_COOKIE_KEYS_SECRET_ARN: 's' } })).toThrow(
      'exactly one of SESSION_COOKIE_KEYS_SSM_PARAMETER and SESSION_COOKIE_KEYS_SECRET_ARN is required',
    );
  });

  it('fails at creation with a ConfigError on a bad attribute setting', () => {
    expect(() => sessionCookies({ keys, env: { SESSION_COOKIE_SAME_SITE: 'none' } })).toThrow(ConfigError);
  });
});
