import { createOriginPolicy, isOriginAllowed, normalizeOrigin } from '../../functions/lib/auth/origin';
import { ConfigError } from '../../packages/contract/src/config-error';

describe('normalizeOrigin', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['https://APP.Example.COM', 'https://app.example.com'],
    ['HTTPS://app.example.com', 'https://app.example.com'],
    ['https://app.example.com:443', 'https://app.example.com'],
    ['http://app.example.com:80', 'http://app.example.com'],
    ['https://app.example.com:8443', 'https://app.example.com:8443'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://127.0.0.1:5173', 'http://127.0.0.1:5173'],
  ])('normalises %j to %j', (value, expected) => {
    expect(normalizeOrigin(value)).toBe(expected);
  });

  it.each([
    ['a trailing slash', 'https://app.example.com/'],
    ['a path', 'https://app.example.com/path'],
    ['a path and trailing slash', 'https://app.example.com/path/'],
    ['a query', 'https://app.example.com?a=1'],
    ['a fragment', 'https://app.example.com#top'],
    ['userinfo', 'https://user:pass@app.example.com'],
    ['a user name', 'https://user@app.example.com'],
    ['the literal null origin', 'null'],
    ['a bare host', 'app.example.com'],
    ['a websocket scheme', 'wss://app.example.com'],
    ['a file URL', 'file:///etc/passwd'],
    ['a data URL', 'data:text/html,hi'],
    ['a javascript URL', 'javascript:alert(1)'],
    ['an empty string', ''],
  ])('rejects %s', (_label, value) => {
    expect(normalizeOrigin(value)).toBeUndefined();
  });

  // The doc comment promises that anything with a query, credentials or a path is rejected. These
  // parse to an origin because the WHATWG URL parser drops an empty query/fragment/userinfo and dot
  // segments, so they currently slip through (see the report).
  it.each([
    ['an empty query', 'https://app.example.com?'],
    ['an empty fragment', 'https://app.example.com#'],
    ['empty userinfo', 'https://@app.example.com'],
    ['a dot-segment path', 'https://app.example.com/.'],
  ])('rejects %s as well', (_label, value) => {
    expect(normalizeOrigin(value)).toBeUndefined();
  });
});

describe('createOriginPolicy', () => {
  it('holds the normalised origins', () => {
    const policy = createOriginPolicy(['https://APP.example.com', 'http://localhost:3000', 'https://app.example.com:443'], false);
    expect([...policy.allowed].sort()).toEqual(['http://localhost:3000', 'https://app.example.com']);
    expect(policy.allowMissing).toBe(false);
  });

  it('keeps the wildcard as is', () => {
    expect([...createOriginPolicy(['*'], true).allowed]).toEqual(['*']);
  });

  it('is empty for no entries', () => {
    expect(createOriginPolicy([], true).allowed.size).toBe(0);
  });

  it.each(['https://a.com/path', 'https://a.com/', 'a.com', 'null', 'wss://a.com', 'https://u:p@a.com', '**'])(
    'rejects the entry %j with a ConfigError naming ALLOWED_ORIGINS',
    (entry) => {
      const create = () => createOriginPolicy(['https://ok.example.com', entry], true);
      expect(create).toThrow(ConfigError);
      expect(create).toThrow(
        `ALLOWED_ORIGINS entries must be origins like https://app.example.com (no path or trailing slash) or "*", got ${JSON.stringify(entry)}`,
      );
    },
  );
});

describe('origin policy', () => {
  const strict = createOriginPolicy(['https://app.example.com'], false);
  const lenient = createOriginPolicy(['https://app.example.com'], true);

  it('allows the configured origin', () => {
    expect(isOriginAllowed('https://app.example.com', strict)).toBe(true);
  });

  it('allows an origin that normalises equal', () => {
    expect(isOriginAllowed('https://APP.example.com', strict)).toBe(true);
    expect(isOriginAllowed('https://app.example.com:443', strict)).toBe(true);
  });

  it('allows an origin configured in upper case', () => {
    expect(isOriginAllowed('https://app.example.com', createOriginPolicy(['https://APP.EXAMPLE.COM'], false))).toBe(true);
  });

  it.each([
    ['a look-alike suffix', 'https://app.example.com.evil.com'],
    ['a look-alike prefix', 'https://evilapp.example.com'],
    ['a subdomain', 'https://sub.app.example.com'],
    ['the parent domain', 'https://example.com'],
    ['a trailing dot', 'https://app.example.com.'],
    ['another scheme', 'http://app.example.com'],
    ['another port', 'https://app.example.com:8443'],
    ['a trailing slash', 'https://app.example.com/'],
    ['a path', 'https://app.example.com/path'],
    ['userinfo naming the allowed host', 'https://app.example.com@evil.com'],
    ['userinfo before the allowed host', 'https://evil.com@app.example.com'],
    ['the null origin', 'null'],
    ['garbage', 'not an origin'],
  ])('rejects %s', (_label, origin) => {
    expect(isOriginAllowed(origin, strict)).toBe(false);
    expect(isOriginAllowed(origin, lenient)).toBe(false);
  });

  it.each([undefined, ''])('rejects a missing origin (%j) unless missing origins are allowed', (origin) => {
    expect(isOriginAllowed(origin, strict)).toBe(false);
    expect(isOriginAllowed(origin, lenient)).toBe(true);
  });

  it('lets a wildcard allow any present origin, even the null origin', () => {
    const any = createOriginPolicy(['*'], false);
    expect(isOriginAllowed('https://evil.com', any)).toBe(true);
    expect(isOriginAllowed('null', any)).toBe(true);
  });

  it('does not let a wildcard allow a missing origin', () => {
    expect(isOriginAllowed(undefined, createOriginPolicy(['*'], false))).toBe(false);
  });

  it('allows no browser origin when the list is empty', () => {
    expect(isOriginAllowed('https://app.example.com', createOriginPolicy([], true))).toBe(false);
  });
});
