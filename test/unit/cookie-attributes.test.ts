import { ConfigError } from '../../packages/contract/src/config-error';
import { cookieAttributes, serializeCookie, MAX_AGE_LIMIT_SECONDS, readCookieAttributeSettings } from '../../packages/sessions/src/cookie';
import { parseSetCookie } from '../helpers/set-cookie';

describe('session cookie attributes', () => {
  it('default to __Host-session, SameSite=Lax, Path=/, no Domain', () => {
    expect(cookieAttributes({})).toEqual({ name: '__Host-session', sameSite: 'Lax', path: '/', domain: undefined });
  });

  it('default the name to __Secure-session when a Domain is set', () => {
    expect(cookieAttributes({ domain: 'example.com' }).name).toBe('__Secure-session');
  });

  it('are read from the SESSION_COOKIE_* settings', () => {
    expect(readCookieAttributeSettings({ SESSION_COOKIE_NAME: 'sid', SESSION_COOKIE_SAME_SITE: 'Strict', SESSION_COOKIE_PATH: '/app', SESSION_COOKIE_DOMAIN: 'app.example.com' })).toEqual({
      name: 'sid',
      sameSite: 'Strict',
      path: '/app',
      domain: 'app.example.com',
    });
  });

  it.each([
    ['a __Host- name with a Domain', { SESSION_COOKIE_NAME: '__Host-sid', SESSION_COOKIE_DOMAIN: 'example.com' }, 'SESSION_COOKIE_DOMAIN must be unset for a __Host- cookie'],
    ['a __host- name (any case) with a Domain', { SESSION_COOKIE_NAME: '__host-sid', SESSION_COOKIE_DOMAIN: 'example.com' }, 'SESSION_COOKIE_DOMAIN must be unset for a __Host- cookie'],
    ['a __Host- name with a Path other than /', { SESSION_COOKIE_PATH: '/app' }, 'SESSION_COOKIE_PATH must be / for a __Host- cookie'],
    ['a name with a blank', { SESSION_COOKIE_NAME: 'my session' }, 'SESSION_COOKIE_NAME must be 1–64 cookie-name characters'],
    ['a name with =', { SESSION_COOKIE_NAME: 'a=b' }, 'SESSION_COOKIE_NAME must be'],
    ['a name of 65 characters', { SESSION_COOKIE_NAME: 's'.repeat(65) }, 'SESSION_COOKIE_NAME must be'],
    ['SameSite lax (lower case)', { SESSION_COOKIE_SAME_SITE: 'lax' }, 'SESSION_COOKIE_SAME_SITE must be one of Strict, Lax, None'],
    ['a relative Path', { SESSION_COOKIE_NAME: 'sid', SESSION_COOKIE_PATH: 'app' }, 'SESSION_COOKIE_PATH must start with /'],
    ['a Path with ;', { SESSION_COOKIE_NAME: 'sid', SESSION_COOKIE_PATH: '/a;Domain=evil.example' }, 'SESSION_COOKIE_PATH must start with /'],
    ['a Domain with a leading dot', { SESSION_COOKIE_DOMAIN: '.example.com' }, 'SESSION_COOKIE_DOMAIN must be a host name'],
    ['a Domain with a port', { SESSION_COOKIE_DOMAIN: 'example.com:443' }, 'SESSION_COOKIE_DOMAIN must be a host name'],
  ])('refuse %s with a ConfigError naming the setting', (_label, env, rule) => {
    expect(() => readCookieAttributeSettings(env)).toThrow(ConfigError);
    expect(() => readCookieAttributeSettings(env)).toThrow(rule);
  });

  it('allow a __Secure- name with a Domain and a Path', () => {
    expect(cookieAttributes({ name: '__Secure-sid', domain: 'example.com', path: '/app' }).name).toBe('__Secure-sid');
  });

  describe('the Set-Cookie value', () => {
    it.each(['Strict', 'Lax', 'None'] as const)('is HttpOnly and Secure with SameSite=%s, Path and Max-Age', (sameSite) => {
      const header = serializeCookie(cookieAttributes({ sameSite }), 'VALUE', 3600);
      expect(parseSetCookie(header)).toEqual({
        name: '__Host-session',
        value: 'VALUE',
        attributes: { 'max-age': '3600', path: '/', httponly: true, secure: true, samesite: sameSite },
      });
    });

    it('carries the Domain when one is set', () => {
      const header = serializeCookie(cookieAttributes({ domain: 'example.com', path: '/app' }), 'V', 60);
      expect(header).toBe('__Secure-session=V; Max-Age=60; Path=/app; Domain=example.com; HttpOnly; Secure; SameSite=Lax');
    });

    it.each([-1, 1.5, MAX_AGE_LIMIT_SECONDS + 1, Number.NaN])('refuses Max-Age %s', (maxAge) => {
      expect(() => serializeCookie(cookieAttributes({}), 'V', maxAge)).toThrow(RangeError);
    });
  });
});
