import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ConfigError } from '../../packages/contract/src/config-error';
import { verifyJwt, type JwtSettings } from '../../functions/lib/auth/jwt';
import { createJwksResolver, createStaticKeyResolver, KeyUnavailableError } from '../../functions/lib/auth/keys';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { craftToken } from '../helpers/tokens';

const SECRET = 's'.repeat(32);
const URL_OK = 'https://id.example.com/.well-known/jwks.json';

const pem = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }).toString();

let rsa: { publicKey: KeyObject; privateKey: KeyObject };
let ec: { publicKey: KeyObject; privateKey: KeyObject };

beforeAll(() => {
  rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
});

describe('createStaticKeyResolver', () => {
  it('builds the key once and hands back the same KeyObject every time', async () => {
    const keys = createStaticKeyResolver({ algorithm: 'RS256', material: pem(rsa.publicKey) });
    const first = await keys.resolve({ alg: 'RS256' });
    expect(first?.type).toBe('public');
    expect(await keys.resolve({ alg: 'RS256' })).toBe(first);
  });

  it('turns an HS256 secret of 32 bytes into a secret key', async () => {
    const key = await createStaticKeyResolver({ algorithm: 'HS256', material: SECRET }).resolve({ alg: 'HS256' });
    expect(key?.type).toBe('secret');
    expect(key?.symmetricKeySize).toBe(32);
  });

  it.each([
    ['31 ASCII characters', 's'.repeat(31)],
    ['an empty string', ''],
  ])('rejects an HS256 secret of %s', (_label, material) => {
    expect(() => createStaticKeyResolver({ algorithm: 'HS256', material })).toThrow(ConfigError);
  });

  it('counts an HS256 secret in bytes, not characters', () => {
    expect(() => createStaticKeyResolver({ algorithm: 'HS256', material: 'é'.repeat(16) })).not.toThrow();
    expect(() => createStaticKeyResolver({ algorithm: 'HS256', material: 'é'.repeat(15) })).toThrow(ConfigError);
  });

  it('accepts an ES256 key on P-256', async () => {
    const key = await createStaticKeyResolver({ algorithm: 'ES256', material: pem(ec.publicKey) }).resolve({ alg: 'ES256' });
    expect(key?.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it.each([
    ['RS256', 'an EC key', (): string => pem(ec.publicKey), 'must be an RSA key'],
    ['RS256', 'a 1024-bit RSA key', (): string => pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey), 'at least 2048 bits'],
    ['RS256', 'a private key', (): string => privatePem(rsa.privateKey), 'must be a public key'],
    ['RS256', 'text that is not PEM', (): string => 'not a key', 'not a valid PEM public key'],
    ['ES256', 'an RSA key', (): string => pem(rsa.publicKey), 'must be an EC key'],
    ['ES256', 'a P-384 key', (): string => pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey), 'must be on curve P-256'],
    ['ES256', 'an Ed25519 key', (): string => pem(generateKeyPairSync('ed25519').publicKey), 'must be an EC key'],
  ] as const)('rejects, for %s, %s', (algorithm, _label, material, message) => {
    const create = () => createStaticKeyResolver({ algorithm, material: material() });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(message);
  });

  it('never answers for another algorithm than its own', async () => {
    const keys = createStaticKeyResolver({ algorithm: 'RS256', material: pem(rsa.publicKey) });
    await expect(keys.resolve({ alg: 'HS256' })).resolves.toBeUndefined();
    await expect(keys.resolve({ alg: 'ES256' })).resolves.toBeUndefined();
  });

  describe('with a kid configured', () => {
    const keys = () => createStaticKeyResolver({ algorithm: 'HS256', material: SECRET, kid: 'k-2024' });

    it('answers a token carrying exactly that kid', async () => {
      await expect(keys().resolve({ alg: 'HS256', kid: 'k-2024' })).resolves.toBeDefined();
    });

    it.each([
      ['another kid', 'k-2023'],
      ['the kid in another case', 'K-2024'],
      ['no kid', undefined],
    ])('does not answer a token with %s', async (_label, kid) => {
      await expect(keys().resolve(kid === undefined ? { alg: 'HS256' } : { alg: 'HS256', kid })).resolves.toBeUndefined();
    });

    it.each(['', '../k', 'k 1', 'k'.repeat(129)])('rejects the unmatchable configured kid %j', (kid) => {
      expect(() => createStaticKeyResolver({ algorithm: 'HS256', material: SECRET, kid })).toThrow(ConfigError);
    });
  });

  it('without a kid configured, answers tokens with or without a kid: there is only one key', async () => {
    const keys = createStaticKeyResolver({ algorithm: 'HS256', material: SECRET });
    await expect(keys.resolve({ alg: 'HS256' })).resolves.toBeDefined();
    await expect(keys.resolve({ alg: 'HS256', kid: 'anything' })).resolves.toBeDefined();
  });
});

describe('createJwksResolver', () => {
  const rsaJwk = (kid: string, extra: Record<string, unknown> = {}) => ({ ...rsa.publicKey.export({ format: 'jwk' }), kid, ...extra });
  const ecJwk = (kid: string, extra: Record<string, unknown> = {}) => ({ ...ec.publicKey.export({ format: 'jwk' }), kid, ...extra });

  /** A clock the test moves, and a JWKS document it swaps; the fetch function is the resolver's injection point. */
  function setup(initial: unknown, refreshIntervalSeconds = 60) {
    let clock = 1_000_000;
    const state = { document: initial, fail: false, fetches: 0 };
    const fetchJwks = async (url: string): Promise<unknown> => {
      expect(url).toBe(URL_OK);
      state.fetches += 1;
      if (state.fail) throw new Error('connect ECONNREFUSED');
      return state.document;
    };
    const keys = createJwksResolver({ url: URL_OK, refreshIntervalSeconds, fetchJwks, now: () => clock });
    return { keys, state, advance: (seconds: number) => (clock += seconds * 1000) };
  }

  it('finds RSA keys for RS256 and P-256 keys for ES256 by kid', async () => {
    const { keys } = setup({ keys: [rsaJwk('r1'), ecJwk('e1')] });
    expect((await keys.resolve({ alg: 'RS256', kid: 'r1' }))?.asymmetricKeyType).toBe('rsa');
    expect((await keys.resolve({ alg: 'ES256', kid: 'e1' }))?.asymmetricKeyType).toBe('ec');
    await expect(keys.resolve({ alg: 'ES256', kid: 'r1' })).resolves.toBeUndefined();
    await expect(keys.resolve({ alg: 'RS256', kid: 'e1' })).resolves.toBeUndefined();
  });

  it.each([
    ['use "enc"', () => rsaJwk('x', { use: 'enc' })],
    ['alg that does not match the key type', () => rsaJwk('x', { alg: 'ES256' })],
    ['alg RS512', () => rsaJwk('x', { alg: 'RS512' })],
    ['no kid', () => ({ ...rsa.publicKey.export({ format: 'jwk' }) })],
    ['a kid no token could carry', () => rsaJwk('../x')],
    ['a P-384 curve', () => ({ ...generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }), kid: 'x' })],
    ['a 1024-bit modulus', () => ({ ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: 'x' })],
    ['kty oct', () => ({ kty: 'oct', k: Buffer.from(SECRET).toString('base64url'), kid: 'x' })],
    ['garbage in n', () => rsaJwk('x', { n: '!!!' })],
  ])('skips a key with %s and keeps the others', async (_label, jwk) => {
    const { keys } = setup({ keys: [jwk(), ecJwk('e1')] });
    await expect(keys.resolve({ alg: 'RS256', kid: 'x' })).resolves.toBeUndefined();
    await expect(keys.resolve({ alg: 'ES256', kid: 'x' })).resolves.toBeUndefined();
    await expect(keys.resolve({ alg: 'ES256', kid: 'e1' })).resolves.toBeDefined();
  });

  it('accepts use "sig" and a matching alg', async () => {
    const { keys } = setup({ keys: [rsaJwk('r1', { use: 'sig', alg: 'RS256' })] });
    await expect(keys.resolve({ alg: 'RS256', kid: 'r1' })).resolves.toBeDefined();
  });

  it('takes only the public part of a JWK that leaks its private exponent', async () => {
    const { keys } = setup({ keys: [{ ...rsa.privateKey.export({ format: 'jwk' }), kid: 'r1' }] });
    expect((await keys.resolve({ alg: 'RS256', kid: 'r1' }))?.type).toBe('public');
  });

  it('rejects tokens without a kid and HS256 tokens without fetching', async () => {
    const { keys, state } = setup({ keys: [rsaJwk('r1')] });
    await expect(keys.resolve({ alg: 'RS256' })).resolves.toBeUndefined();
    await expect(keys.resolve({ alg: 'HS256', kid: 'r1' })).resolves.toBeUndefined();
    expect(state.fetches).toBe(0);
  });

  it('refetches for an unknown kid at most once per 10 s', async () => {
    const { keys, state, advance } = setup({ keys: [rsaJwk('r1')] });
    await keys.resolve({ alg: 'RS256', kid: 'r1' });
    state.document = { keys: [rsaJwk('r1'), rsaJwk('r2')] };
    await expect(keys.resolve({ alg: 'RS256', kid: 'r2' })).resolves.toBeUndefined();
    await expect(keys.resolve({ alg: 'RS256', kid: 'ghost' })).resolves.toBeUndefined();
    expect(state.fetches).toBe(1);
    advance(10);
    await expect(keys.resolve({ alg: 'RS256', kid: 'r2' })).resolves.toBeDefined();
    await expect(keys.resolve({ alg: 'RS256', kid: 'ghost' })).resolves.toBeUndefined();
    expect(state.fetches).toBe(2);
  });

  it.each([
    ['two keys of one type', () => [rsaJwk('k1'), { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), kid: 'k1' }]],
    ['the same key twice', () => [rsaJwk('k1'), rsaJwk('k1')]],
    ['an RSA and an EC key', () => [rsaJwk('k1'), ecJwk('k1')]],
  ])('refuses a JWKS listing %s under one kid, rather than letting the last one win', async (_label, jwks) => {
    const { keys, state, advance } = setup({ keys: jwks() });
    await expect(keys.resolve({ alg: 'RS256', kid: 'k1' })).rejects.toThrow(KeyUnavailableError);
    // With keys cached, such a JWKS is a failed fetch: the cached keys stay.
    state.document = { keys: [rsaJwk('k1')] };
    advance(10);
    await expect(keys.resolve({ alg: 'RS256', kid: 'k1' })).resolves.toBeDefined();
    state.document = { keys: jwks() };
    advance(60);
    expect((await keys.resolve({ alg: 'RS256', kid: 'k1' }))?.equals(rsa.publicKey)).toBe(true);
    expect(state.fetches).toBe(3);
  });

  it('shares one fetch between concurrent lookups', async () => {
    const { keys, state } = setup({ keys: [rsaJwk('r1')] });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => keys.resolve({ alg: 'RS256', kid: i % 2 ? 'r1' : 'ghost' })));
    expect(results.filter(Boolean)).toHaveLength(10);
    expect(state.fetches).toBe(1);
  });

  it('drops a key the JWKS no longer lists once the cache is an interval old', async () => {
    const { keys, state, advance } = setup({ keys: [rsaJwk('r1')] });
    await expect(keys.resolve({ alg: 'RS256', kid: 'r1' })).resolves.toBeDefined();
    state.document = { keys: [rsaJwk('r2')] };
    advance(30);
    await expect(keys.resolve({ alg: 'RS256', kid: 'r1' })).resolves.toBeDefined();
    advance(30);
    await expect(keys.resolve({ alg: 'RS256', kid: 'r1' })).resolves.toBeUndefined();
  });

  it('fails closed with KeyUnavailableError when the first fetch fails', async () => {
    const { keys, state } = setup({ keys: [rsaJwk('r1')] });
    state.fail = true;
    await expect(keys.resolve({ alg: 'RS256', kid: 'r1' })).rejects.toThrow(KeyUnavailableError);
  });

  it('retries a failed fetch after 10 s, not after the whole refresh interval', async () => {
    const { keys, state, advance } = setup({ keys: [rsaJwk('r1')] }, 300);
    state.fail = true;
    await expect(keys.resolve({ alg: 'RS256', kid: 'r1' })).rejects.toThrow(KeyUnavailableError);
    advance(5);
    await expect(keys.resolve({ alg: 'RS256', kid: 'r1' })).rejects.toThrow(KeyUnavailableError);
    expect(state.fetches).toBe(1);
    state.fail = false;
    advance(5);
    expect((await keys.resolve({ alg: 'RS256', kid: 'r1' }))?.asymmetricKeyType).toBe('rsa');
    expect(state.fetches).toBe(2);
    // Known keys are not refetched before the interval; an unknown kid waits the same 10 s as a failure.
    advance(5);
    expect((await keys.resolve({ alg: 'RS256', kid: 'r1' }))?.asymmetricKeyType).toBe('rsa');
    await expect(keys.resolve({ alg: 'RS256', kid: 'r9' })).resolves.toBeUndefined();
    expect(state.fetches).toBe(2);
    advance(5);
    await expect(keys.resolve({ alg: 'RS256', kid: 'r9' })).resolves.toBeUndefined();
    expect(state.fetches).toBe(3);
  });

  it('keeps serving cached keys when a later fetch fails', async () => {
    const { keys, state, advance } = setup({ keys: [rsaJwk('r1')] });
    await keys.resolve({ alg: 'RS256', kid: 'r1' });
    state.fail = true;
    advance(61);
    await expect(keys.resolve({ alg: 'RS256', kid: 'r1' })).resolves.toBeDefined();
    advance(61);
    await expect(keys.resolve({ alg: 'RS256', kid: 'r9' })).resolves.toBeUndefined();
    expect(state.fetches).toBe(3);
  });

  it.each([
    ['null', () => null],
    ['a string', () => 'keys'],
    ['an array', () => [rsaJwk('r2')]],
    ['keys that is not a list', () => ({ keys: { r2: 'x' } })],
    ['an empty key list', () => ({ keys: [] })],
    ['only unusable keys', () => ({ keys: [rsaJwk('r2', { use: 'enc' })] })],
  ])('treats a JWKS that is %s as a failed fetch', async (_label, document) => {
    const { keys, state, advance } = setup(document());
    await expect(keys.resolve({ alg: 'RS256', kid: 'r2' })).rejects.toThrow(KeyUnavailableError);
    state.document = { keys: [rsaJwk('r1')] };
    advance(60);
    await keys.resolve({ alg: 'RS256', kid: 'r1' });
    state.document = document();
    advance(60);
    await expect(keys.resolve({ alg: 'RS256', kid: 'r1' })).resolves.toBeDefined();
  });

  it.each([
    ['plain http to another host', 'http://id.example.com/jwks.json'],
    ['ftp', 'ftp://id.example.com/jwks.json'],
    ['something that is not a URL', 'jwks.json'],
  ])('rejects %s as the JWKS URL', (_label, url) => {
    expect(() => createJwksResolver({ url, refreshIntervalSeconds: 60 })).toThrow(ConfigError);
  });

  it.each(['http://127.0.0.1:8080/jwks.json', 'http://localhost/jwks.json', 'https://id.example.com/jwks.json'])('accepts %s as the JWKS URL', (url) => {
    expect(() => createJwksResolver({ url, refreshIntervalSeconds: 60 })).not.toThrow();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects a refresh interval of %s seconds', (refreshIntervalSeconds) => {
    expect(() => createJwksResolver({ url: URL_OK, refreshIntervalSeconds })).toThrow(ConfigError);
  });

  describe('behind verifyJwt', () => {
    const NOW = 1_700_000_000;
    const settings: JwtSettings = {
      algorithms: ['RS256', 'ES256', 'HS256'],
      clockToleranceSeconds: 5,
      maxLifetimeSeconds: 3600,
      maxTokenLength: 8192,
      claims: { userId: 'sub' },
    };
    const token = (header: Record<string, unknown>, key: KeyObject | string): string => craftToken(header, { sub: 'u1', exp: NOW + 60 }, key);

    it('verifies RS256 and ES256 tokens by kid', async () => {
      const { keys } = setup({ keys: [rsaJwk('r1'), ecJwk('e1')] });
      await expect(verifyJwt(token({ alg: 'RS256', kid: 'r1' }, rsa.privateKey), settings, keys, NOW)).resolves.toMatchObject({ ok: true });
      await expect(verifyJwt(token({ alg: 'ES256', kid: 'e1' }, ec.privateKey), settings, keys, NOW)).resolves.toMatchObject({ ok: true });
    });

    it.each([
      ['a token without kid', () => token({ alg: 'RS256' }, rsa.privateKey), 'kid_unknown'],
      ['an unknown kid', () => token({ alg: 'RS256', kid: 'r9' }, rsa.privateKey), 'kid_unknown'],
      ['an HS256 token signed with the RSA public key PEM', () => token({ alg: 'HS256', kid: 'r1' }, pem(rsa.publicKey)), 'kid_unknown'],
      ['an ES256 token naming the RSA kid', () => token({ alg: 'ES256', kid: 'r1' }, ec.privateKey), 'kid_unknown'],
    ])('rejects %s', async (_label, make, reason) => {
      const { keys } = setup({ keys: [rsaJwk('r1'), ecJwk('e1')] });
      await expect(verifyJwt(make(), settings, keys, NOW)).resolves.toEqual({ ok: false, reason });
    });

    it('reports key_unavailable when no JWKS could be loaded', async () => {
      const { keys, state } = setup({ keys: [rsaJwk('r1')] });
      state.fail = true;
      await expect(verifyJwt(token({ alg: 'RS256', kid: 'r1' }, rsa.privateKey), settings, keys, NOW)).resolves.toEqual({ ok: false, reason: 'key_unavailable' });
    });
  });
});

describe('createJwksResolver against a JWKS endpoint', () => {
  const settings: JwtSettings = {
    algorithms: ['ES256'],
    clockToleranceSeconds: 5,
    maxLifetimeSeconds: 86_400,
    maxTokenLength: 8192,
    claims: { userId: 'sub', tenantId: 'tenant_id', roles: 'roles', sessionId: 'sid' },
  };
  const current = signingKey('ES256', 'key-2024');
  const next = signingKey('ES256', 'key-2025');
  let served: typeof current[];
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let clock: number;
  let keys: ReturnType<typeof createJwksResolver>;

  beforeEach(async () => {
    served = [current];
    jwks = await startJwksServer(served);
    clock = 1_000_000;
    keys = createJwksResolver({ url: jwks.url, refreshIntervalSeconds: 300, now: () => clock });
  });
  afterEach(() => jwks.stop());

  it('accepts a token signed with a key rotated in after the cache was warm, without waiting for the refresh interval', async () => {
    expect(await verifyJwt(signToken(current, { sub: 'u-1' }), settings, keys)).toMatchObject({ ok: true });
    expect(jwks.requests()).toBe(1);
    served.push(next);
    clock += 60_000;
    expect(await verifyJwt(signToken(next, { sub: 'u-1' }), settings, keys)).toMatchObject({ ok: true, identity: { userId: 'u-1' } });
    expect(jwks.requests()).toBe(2);
  });

  it('fetches at most once per 10 s for a flood of unknown kids', async () => {
    await keys.resolve({ alg: 'ES256', kid: current.kid });
    clock += 10_000;
    const flood = Array.from({ length: 50 }, (_, i) => verifyJwt(craftToken({ alg: 'ES256', kid: `made-up-${i}` }, { sub: 'u-1', exp: 2_000_000_000 }, next.privateKey), settings, keys));
    expect((await Promise.all(flood)).map((result) => result.ok || result.reason)).toEqual(Array(50).fill('kid_unknown'));
    expect(jwks.requests()).toBe(2);
    for (let i = 0; i < 20; i += 1) {
      clock += 500;
      await keys.resolve({ alg: 'ES256', kid: `made-up-again-${i}` });
    }
    // 10 s after the flood's fetch, one more.
    expect(jwks.requests()).toBe(3);
  });
});
