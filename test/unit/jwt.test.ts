import { createHmac, createPublicKey, createSecretKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import { ConfigError } from '../../packages/contract/src/config-error';
import { readJwtSettings, verifyJwt, type JwtAlgorithm, type JwtResult, type JwtSettings, type KeyResolver } from '../../functions/lib/auth/jwt';
import { createStaticKeyResolver } from '../../functions/lib/auth/keys';
import { craftToken, encode } from '../helpers/tokens';

const NOW = 1_700_000_000;

interface Signer {
  alg: string;
  key: KeyObject | string;
}

/** Signs any header and payload with the signer's key (see test/helpers/tokens.ts). */
const signToken = (header: Record<string, unknown>, payload: unknown, signer: Signer): string => craftToken(header, payload, signer.key);

const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ sub: 'user-1', iat: NOW - 10, exp: NOW + 600, ...extra });

function settingsFor(algorithms: JwtAlgorithm[], overrides: Partial<JwtSettings> = {}): JwtSettings {
  return {
    algorithms,
    clockToleranceSeconds: 5,
    maxLifetimeSeconds: 86_400,
    maxTokenLength: 8192,
    claims: { userId: 'sub', tenantId: 'tenant_id', roles: 'roles', sessionId: 'sid' },
    ...overrides,
  };
}

function flipSignatureByte(token: string, index: number): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = bytes[at]! ^ 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

const rejected = (reason: string): JwtResult => ({ ok: false, reason } as JwtResult);

let secret: string;
let rsa: { publicKey: KeyObject; privateKey: KeyObject };
let ec: { publicKey: KeyObject; privateKey: KeyObject };
let attackerRsa: { publicKey: KeyObject; privateKey: KeyObject };
let attackerEc: { publicKey: KeyObject; privateKey: KeyObject };
let rsaPublicPem: string;
let hsKeys: KeyResolver;
let rsKeys: KeyResolver;
let esKeys: KeyResolver;
const hs = (): Signer => ({ alg: 'HS256', key: secret });
const rs = (): Signer => ({ alg: 'RS256', key: rsa.privateKey });
const es = (): Signer => ({ alg: 'ES256', key: ec.privateKey });

beforeAll(() => {
  secret = randomBytes(32).toString('hex');
  rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  attackerRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  attackerEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  hsKeys = createStaticKeyResolver({ algorithm: 'HS256', material: secret });
  rsKeys = createStaticKeyResolver({ algorithm: 'RS256', material: rsaPublicPem });
  esKeys = createStaticKeyResolver({ algorithm: 'ES256', material: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
});

describe('verifyJwt accepts', () => {
  it.each([
    ['HS256', () => hs(), () => hsKeys],
    ['RS256', () => rs(), () => rsKeys],
    ['ES256', () => es(), () => esKeys],
  ] as const)('a good %s token and picks the identity from it', async (alg, signer, keys) => {
    const token = signToken({ alg, typ: 'JWT' }, claims({ tenant_id: 'acme', roles: ['reader', 'writer'], sid: 'session-9' }), signer());
    await expect(verifyJwt(token, settingsFor([alg]), keys(), NOW)).resolves.toEqual({
      ok: true,
      identity: { userId: 'user-1', tenantId: 'acme', roles: ['reader', 'writer'], sessionId: 'session-9', expiresAt: NOW + 600 },
    });
  });

  it('a token whose header has no typ', async () => {
    const result = await verifyJwt(signToken({ alg: 'HS256' }, claims(), hs()), settingsFor(['HS256']), hsKeys, NOW);
    expect(result.ok).toBe(true);
  });

  it('roles given as a space-separated string, without duplicates', async () => {
    const token = signToken({ alg: 'HS256' }, claims({ roles: ' reader  writer reader' }), hs());
    const result = await verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW);
    expect(result).toEqual({ ok: true, identity: { userId: 'user-1', roles: ['reader', 'writer'], expiresAt: NOW + 600 } });
  });

  it('a token expired by less than the clock tolerance', async () => {
    const token = signToken({ alg: 'HS256' }, claims({ iat: NOW - 100, exp: NOW - 3 }), hs());
    expect((await verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).ok).toBe(true);
  });

  it('a token issued in the future by less than the clock tolerance', async () => {
    const token = signToken({ alg: 'HS256' }, claims({ iat: NOW + 3 }), hs());
    expect((await verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).ok).toBe(true);
  });

  it('the configured issuer and any of the configured audiences', async () => {
    const token = signToken({ alg: 'HS256' }, claims({ iss: 'https://id.example.com/', aud: ['other', 'ws'] }), hs());
    const settings = settingsFor(['HS256'], { issuer: 'https://id.example.com/', audience: ['ws', 'api'] });
    expect((await verifyJwt(token, settings, hsKeys, NOW)).ok).toBe(true);
  });

  it('the configured typ when one is required', async () => {
    const token = signToken({ alg: 'HS256', typ: 'at+jwt' }, claims(), hs());
    expect((await verifyJwt(token, settingsFor(['HS256'], { typ: 'at+jwt' }), hsKeys, NOW)).ok).toBe(true);
  });

  it('a kid that matches the configured one exactly', async () => {
    const keys = createStaticKeyResolver({ algorithm: 'HS256', material: secret, kid: 'key-2024:01' });
    const token = signToken({ alg: 'HS256', kid: 'key-2024:01' }, claims(), hs());
    expect((await verifyJwt(token, settingsFor(['HS256']), keys, NOW)).ok).toBe(true);
  });
});

describe('verifyJwt rejects', () => {
  const none = (alg: string, signature: string) => `${encode({ alg, typ: 'JWT' })}.${encode(claims())}.${signature}`;

  it.each(['none', 'NONE', 'nOnE', 'None'])('an unsigned token with alg %s at the charset check', async (alg) => {
    await expect(verifyJwt(none(alg, ''), settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('malformed'));
  });

  it.each(['none', 'NONE', 'nOnE', 'None'])('a token with alg %s and a made-up signature', async (alg) => {
    await expect(verifyJwt(none(alg, 'c2lnbmF0dXJl'), settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('alg_not_allowed'));
  });

  it.each([
    ['HS512', 'HS512'],
    ['HS384', 'HS384'],
    ['RS256 when only HS256 is allowed', 'RS256'],
    ['lower-case hs256', 'hs256'],
    ['HS256 with a trailing blank', 'HS256 '],
    ['PS256', 'PS256'],
    ['ES256K', 'ES256K'],
    ['a number', 256],
    ['an array holding HS256', ['HS256']],
    ['null', null],
  ])('a token whose alg is %s', async (_label, alg) => {
    const token = signToken({ alg }, claims(), hs());
    await expect(verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('alg_not_allowed'));
  });

  it('a token without alg', async () => {
    const token = signToken({ typ: 'JWT' }, claims(), hs());
    await expect(verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('alg_not_allowed'));
  });

  describe('HS/RS key confusion', () => {
    const confused = () => signToken({ alg: 'HS256' }, claims(), { alg: 'HS256', key: rsaPublicPem });

    it('rejects an HS256 token signed with the RSA public key PEM as the secret', async () => {
      const result = await verifyJwt(confused(), settingsFor(['RS256', 'HS256']), rsKeys, NOW);
      expect(result).toEqual(rejected('kid_unknown'));
    });

    it('rejects it even when a careless resolver hands back the RSA public key for any alg', async () => {
      const careless: KeyResolver = { resolve: async () => rsa.publicKey };
      await expect(verifyJwt(confused(), settingsFor(['RS256', 'HS256']), careless, NOW)).resolves.toEqual(rejected('key_mismatch'));
    });

    it('relies on a check jsonwebtoken makes on its own: a public KeyObject never verifies an HS256 token', () => {
      expect(() => jsonwebtoken.verify(confused(), rsa.publicKey, { algorithms: ['HS256'] })).toThrow('secretOrPublicKey must be a symmetric key when using HS256');
    });

    it('rejects an RS256 token offered to a resolver that answers with a secret key', async () => {
      const careless: KeyResolver = { resolve: async () => createSecretKey(Buffer.from(secret)) };
      const token = signToken({ alg: 'RS256' }, claims(), rs());
      await expect(verifyJwt(token, settingsFor(['RS256', 'HS256']), careless, NOW)).resolves.toEqual(rejected('key_mismatch'));
    });

    it('rejects an ES256 token offered to a resolver that answers with the RSA key', async () => {
      const careless: KeyResolver = { resolve: async () => rsa.publicKey };
      const token = signToken({ alg: 'ES256' }, claims(), es());
      await expect(verifyJwt(token, settingsFor(['ES256']), careless, NOW)).resolves.toEqual(rejected('key_mismatch'));
    });
  });

  it.each([
    ['HS256', 0],
    ['HS256', 1],
    ['HS256', 16],
    ['HS256', -1],
    ['RS256', 0],
    ['RS256', 128],
    ['RS256', -1],
    ['ES256', 0],
    ['ES256', 32],
    ['ES256', -1],
  ] as const)('a %s token with signature byte %i flipped', async (alg, index) => {
    const setup = { HS256: [hs, () => hsKeys], RS256: [rs, () => rsKeys], ES256: [es, () => esKeys] } as const;
    const [signer, keys] = setup[alg];
    const token = flipSignatureByte(signToken({ alg }, claims(), signer()), index);
    await expect(verifyJwt(token, settingsFor([alg]), keys(), NOW)).resolves.toEqual(rejected('signature_invalid'));
  });

  it.each([
    ['HS256', () => ({ alg: 'HS256', key: randomBytes(32).toString('hex') }), () => hsKeys],
    ['RS256', () => ({ alg: 'RS256', key: attackerRsa.privateKey }), () => rsKeys],
    ['ES256', () => ({ alg: 'ES256', key: attackerEc.privateKey }), () => esKeys],
  ] as const)('a %s token signed with another key', async (alg, signer, keys) => {
    const token = signToken({ alg }, claims(), signer());
    await expect(verifyJwt(token, settingsFor([alg]), keys(), NOW)).resolves.toEqual(rejected('signature_invalid'));
  });

  it('a signature whose unused trailing bits are altered (same bytes, other text), which jsonwebtoken alone would accept', async () => {
    const token = signToken({ alg: 'RS256' }, claims(), rs());
    // 256 signature bytes take 342 characters; the last one carries 2 bits of data and 4 unused bits.
    const altered = token.slice(0, -1) + String.fromCharCode(token.charCodeAt(token.length - 1) + 1);
    expect(jsonwebtoken.verify(altered, rsa.publicKey, { algorithms: ['RS256'], clockTimestamp: NOW })).toMatchObject({ sub: 'user-1' });
    await expect(verifyJwt(altered, settingsFor(['RS256']), rsKeys, NOW)).resolves.toEqual(rejected('malformed'));
  });

  it.each([
    ['expired', { exp: NOW - 100, iat: NOW - 700 }, 'token_expired'],
    ['not yet valid (nbf)', { nbf: NOW + 100 }, 'token_not_yet_valid'],
    ['issued in the future', { iat: NOW + 100 }, 'issued_in_future'],
    ['without exp', { exp: undefined }, 'exp_missing'],
    ['with exp as a string', { exp: String(NOW + 600) }, 'exp_invalid'],
    ['with exp null', { exp: null }, 'exp_invalid'],
    ['with exp true', { exp: true }, 'exp_invalid'],
    ['with iat as a string', { iat: String(NOW) }, 'iat_invalid'],
    ['with nbf as a string', { nbf: String(NOW) }, 'token_invalid'],
    ['with a far-future exp and no iat', { iat: undefined, exp: NOW + 86_401 }, 'lifetime_too_long'],
    ['with a lifetime one second over the cap', { iat: NOW - 10, exp: NOW - 10 + 86_401 }, 'lifetime_too_long'],
    ['with sub a number', { sub: 42 }, 'user_id_invalid'],
    ['with sub in the guest namespace', { sub: 'guest:739bb5b7-3236-4cbd-8132-b281bbe83b42' }, 'user_id_invalid'],
    ['with sub empty', { sub: '' }, 'user_id_invalid'],
    ['with sub of 257 characters', { sub: 'u'.repeat(257) }, 'user_id_invalid'],
    ['without sub', { sub: undefined }, 'user_id_invalid'],
    ['with roles an object', { roles: { admin: true } }, 'roles_invalid'],
    ['with roles holding a number', { roles: ['reader', 7] }, 'roles_invalid'],
    ['with a role of 65 characters', { roles: ['r'.repeat(65)] }, 'roles_invalid'],
    ['with an empty role', { roles: [''] }, 'roles_invalid'],
    ['with 51 roles', { roles: Array.from({ length: 51 }, (_, i) => `role-${i}`) }, 'roles_invalid'],
    ['with a role holding a space (a group name)', { roles: ['team admin'] }, 'roles_invalid'],
    ['with a role with a leading blank', { roles: [' admin'] }, 'roles_invalid'],
    ['with a role with a trailing newline', { roles: ['admin\n'] }, 'roles_invalid'],
    ['with a role holding a tab', { roles: ['team\tadmin'] }, 'roles_invalid'],
    ['with a scope string holding a tab', { roles: 'reader\tadmin' }, 'roles_invalid'],
    ['with a role holding a comma', { roles: ['reader,admin'] }, 'roles_invalid'],
    ['with sub holding a control character', { sub: 'user-1\u0000' }, 'user_id_invalid'],
    ['with sub holding a lone surrogate', { sub: 'user-\uD800' }, 'user_id_invalid'],
    ['with tenant_id holding a newline', { tenant_id: 'acme\n' }, 'tenant_id_invalid'],
    ['with sid of 257 characters', { sid: 's'.repeat(257) }, 'session_id_invalid'],
    ['with tenant_id a number', { tenant_id: 7 }, 'tenant_id_invalid'],
    ['with sid an array', { sid: ['a'] }, 'session_id_invalid'],
  ])('a token %s', async (_label, extra, reason) => {
    const token = signToken({ alg: 'HS256' }, claims(extra), hs());
    await expect(verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected(reason));
  });

  it.each([
    ['1e400 (Infinity once parsed)', `{"sub":"user-1","exp":1e400}`, 'exp_invalid'],
    ['-1e400', `{"sub":"user-1","exp":-1e400}`, 'token_expired'],
    ['an iat of 1e400', `{"sub":"user-1","iat":1e400,"exp":${NOW + 60}}`, 'iat_invalid'],
  ])('a token whose exp or iat is %s', async (_label, payload, reason) => {
    const token = signToken({ alg: 'HS256' }, payload, hs());
    await expect(verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected(reason));
  });

  it('a token older than the maximum age', async () => {
    const token = signToken({ alg: 'HS256' }, claims({ iat: NOW - 301 }), hs());
    await expect(verifyJwt(token, settingsFor(['HS256'], { maxAgeSeconds: 300 }), hsKeys, NOW)).resolves.toEqual(rejected('token_too_old'));
  });

  it('a token without iat when a maximum age is set', async () => {
    const token = signToken({ alg: 'HS256' }, claims({ iat: undefined }), hs());
    await expect(verifyJwt(token, settingsFor(['HS256'], { maxAgeSeconds: 300 }), hsKeys, NOW)).resolves.toEqual(rejected('iat_missing'));
  });

  it.each([
    ['a wrong issuer', { iss: 'https://evil.example.com/', aud: 'ws' }, 'issuer_invalid'],
    ['no issuer', { aud: 'ws' }, 'issuer_invalid'],
    ['a wrong audience', { iss: 'https://id.example.com/', aud: 'api' }, 'audience_invalid'],
    ['no audience', { iss: 'https://id.example.com/' }, 'audience_invalid'],
  ])('a token with %s', async (_label, extra, reason) => {
    const token = signToken({ alg: 'HS256' }, claims(extra), hs());
    const settings = settingsFor(['HS256'], { issuer: 'https://id.example.com/', audience: ['ws'] });
    await expect(verifyJwt(token, settings, hsKeys, NOW)).resolves.toEqual(rejected(reason));
  });

  it.each([
    ['an array', '[{"sub":"user-1"}]'],
    ['a string', '"user-1"'],
    ['a number', '1700000600'],
    ['null', 'null'],
    ['not JSON at all', 'sub=user-1'],
  ])('a signed payload that is %s', async (_label, payload) => {
    const token = signToken({ alg: 'HS256' }, payload, hs());
    await expect(verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('payload_invalid'));
  });

  it('a token with typ "JWT" whose payload is not JSON, before the signature check', async () => {
    const token = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode('sub=user-1')}.c2ln`;
    await expect(verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('payload_invalid'));
  });

  it('a signed token with typ "JWT" whose payload is null, without throwing', async () => {
    const token = signToken({ alg: 'HS256', typ: 'JWT' }, 'null', hs());
    await expect(verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).resolves.toMatchObject({ ok: false });
  });

  it.each([
    ['typ "at+jwt" when none is configured', { typ: 'at+jwt' }, undefined],
    ['typ "jwt" in lower case', { typ: 'jwt' }, undefined],
    ['typ as a number', { typ: 1 }, undefined],
    ['typ "JWT" when "at+jwt" is required', { typ: 'JWT' }, 'at+jwt'],
    ['no typ when "at+jwt" is required', {}, 'at+jwt'],
  ])('a token with %s', async (_label, extra, typ) => {
    const token = signToken({ alg: 'HS256', ...extra }, claims(), hs());
    const settings = settingsFor(['HS256'], typ === undefined ? {} : { typ });
    await expect(verifyJwt(token, settings, hsKeys, NOW)).resolves.toEqual(rejected('typ_invalid'));
  });

  it.each([
    ['["exp"]', ['exp']],
    ['an empty list', []],
    ['a string', 'b64'],
  ])('a token with crit %s', async (_label, crit) => {
    const token = signToken({ alg: 'HS256', crit }, claims(), hs());
    await expect(verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('crit_unsupported'));
  });

  describe('by kid', () => {
    let keys: KeyResolver;
    beforeAll(() => {
      keys = createStaticKeyResolver({ algorithm: 'HS256', material: secret, kid: 'k1' });
    });

    it.each([
      ['an unknown kid', { kid: 'k2' }],
      ['a kid that differs only in case', { kid: 'K1' }],
      ['no kid when one is configured', {}],
    ])('a token with %s', async (_label, extra) => {
      const token = signToken({ alg: 'HS256', ...extra }, claims(), hs());
      await expect(verifyJwt(token, settingsFor(['HS256']), keys, NOW)).resolves.toEqual(rejected('kid_unknown'));
    });

    it.each([
      ['a path', '../../x'],
      ['SQL', "' OR 1=1"],
      ['129 characters', 'k'.repeat(129)],
      ['a huge string', 'k'.repeat(5000)],
      ['an empty string', ''],
      ['a trailing newline', 'k1\n'],
      ['a URL', 'https://evil.example.com/jwks.json'],
      ['a number', 1],
      ['null', null],
      ['an array', ['k1']],
      ['an object', { kid: 'k1' }],
    ])('a token whose kid is %s, before any key lookup', async (_label, kid) => {
      const resolve = jest.fn(keys.resolve);
      const token = signToken({ alg: 'HS256', kid }, claims(), hs());
      await expect(verifyJwt(token, settingsFor(['HS256']), { resolve }, NOW)).resolves.toEqual(rejected('kid_invalid'));
      expect(resolve).not.toHaveBeenCalled();
    });
  });

  describe('embedded keys pointing at an attacker key', () => {
    const attackerJwk = () => attackerRsa.publicKey.export({ format: 'jwk' });
    const attackerDer = () => attackerRsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

    it.each([
      ['jwk', () => ({ jwk: attackerJwk() })],
      ['jku', () => ({ jku: 'https://evil.example.com/jwks.json' })],
      ['x5u', () => ({ x5u: 'https://evil.example.com/cert.pem' })],
      ['x5c', () => ({ x5c: [attackerDer()] })],
    ])('a token carrying %s and signed by the attacker key', async (_label, extra) => {
      const resolve = jest.fn(rsKeys.resolve);
      const token = signToken({ alg: 'RS256', ...extra() }, claims(), { alg: 'RS256', key: attackerRsa.privateKey });
      await expect(verifyJwt(token, settingsFor(['RS256']), { resolve }, NOW)).resolves.toEqual(rejected('signature_invalid'));
      expect(resolve).toHaveBeenCalledWith({ alg: 'RS256' });
    });
  });

  it.each([
    ['two parts', () => 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0'],
    ['four parts', () => `${signToken({ alg: 'HS256' }, claims(), hs())}.e30`],
    ['an empty string', () => ''],
    ['only dots', () => '..'],
    ['blanks', () => ` ${signToken({ alg: 'HS256' }, claims(), hs())}`],
    ['standard base64 padding', () => `${encode({ alg: 'HS256' })}==.${encode(claims())}.c2ln`],
    ['a header of impossible base64 length', () => `abcde.${encode(claims())}.c2ln`],
  ])('a malformed token: %s', async (_label, token) => {
    await expect(verifyJwt(token(), settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('malformed'));
  });

  it.each([
    ['not JSON', encode('alg=HS256')],
    ['a JSON array', encode('["HS256"]')],
    ['a JSON string', encode('"HS256"')],
    ['JSON null', encode('null')],
    ['truncated JSON', encode('{"alg":"HS256"')],
  ])('a token whose header is %s', async (_label, header) => {
    await expect(verifyJwt(`${header}.${encode(claims())}.c2ln`, settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('header_invalid'));
  });

  it('a token longer than the maximum length, before decoding it', async () => {
    const token = signToken({ alg: 'HS256' }, claims({ padding: 'x'.repeat(9000) }), hs());
    await expect(verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('token_too_long'));
    await expect(verifyJwt('a'.repeat(1_000_000), settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('token_too_long'));
  });

  it('a token when the key store is unreachable', async () => {
    const broken: KeyResolver = {
      resolve: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    };
    const token = signToken({ alg: 'HS256' }, claims(), hs());
    await expect(verifyJwt(token, settingsFor(['HS256']), broken, NOW)).resolves.toEqual(rejected('key_unavailable'));
  });

  it('anything that is not a string, without throwing', async () => {
    const notAString = { toString: () => 'x' } as unknown as string;
    await expect(verifyJwt(notAString, settingsFor(['HS256']), hsKeys, NOW)).resolves.toEqual(rejected('malformed'));
  });

  it('with a reason only, never echoing the token', async () => {
    const token = signToken({ alg: 'HS256' }, claims({ exp: NOW - 100, iat: NOW - 200 }), hs());
    const result = await verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW);
    expect(Object.keys(result).sort()).toEqual(['ok', 'reason']);
    expect(JSON.stringify(result)).not.toContain(token.split('.')[2]);
  });
});

describe('verifyJwt and prototype pollution', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('ignores __proto__ and constructor claims: the identity is unaffected and Object.prototype stays clean', async () => {
    const payload =
      `{"sub":"user-1","exp":${NOW + 600},"__proto__":{"isAdmin":true,"roles":["admin"],"tenant_id":"root","polluted":true},` +
      `"constructor":{"prototype":{"polluted":true}}}`;
    const token = signToken({ alg: 'HS256' }, payload, hs());
    const result = await verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW);
    expect(result).toEqual({ ok: true, identity: { userId: 'user-1', roles: [], expiresAt: NOW + 600 } });
  });

  it('ignores a __proto__ in the header', async () => {
    const header = encode('{"alg":"HS256","__proto__":{"alg":"none","kid":"../x","polluted":true}}');
    const input = `${header}.${encode(claims())}`;
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    expect((await verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW)).ok).toBe(true);
  });

  it('copies no claim it was not asked for', async () => {
    const token = signToken({ alg: 'HS256' }, claims({ email: 'a@example.com', admin: true, scope: 'everything' }), hs());
    const result = await verifyJwt(token, settingsFor(['HS256']), hsKeys, NOW);
    expect(result).toEqual({ ok: true, identity: { userId: 'user-1', roles: [], expiresAt: NOW + 600 } });
  });
});

/**
 * RFC 7515 Appendix A: the compact JWS examples as printed there, verified with the keys given there.
 * Their payload is {"iss":"joe","exp":1300819380,"http://example.com/is_root":true}, so the user id is read from iss.
 */
describe('verifyJwt against the RFC 7515 Appendix A examples', () => {
  const RFC_NOW = 1_300_819_370;
  const PAYLOAD = 'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
  const A1 = `eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.${PAYLOAD}.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk`;
  const A1_K = 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow';
  const A2 =
    `eyJhbGciOiJSUzI1NiJ9.${PAYLOAD}.` +
    'cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7' +
    'AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4' +
    'BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K' +
    '0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv' +
    'hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB' +
    'p0igcN_IoypGlUPQGe77Rw';
  const A2_N =
    'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx' +
    'HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs' +
    'D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH' +
    'SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV' +
    'MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8' +
    'NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ';
  const A3 = `eyJhbGciOiJFUzI1NiJ9.${PAYLOAD}.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q`;
  const A3_JWK = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };

  const pem = (jwk: Record<string, string>): string => createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  // A.1's key is 64 random octets, which a UTF-8 secret from the environment cannot carry, so it gets a resolver of its own.
  const vectors = [
    ['A.1 (HS256)', 'HS256', A1, (): KeyResolver => ({ resolve: async () => createSecretKey(Buffer.from(A1_K, 'base64url')) })],
    ['A.2 (RS256)', 'RS256', A2, (): KeyResolver => createStaticKeyResolver({ algorithm: 'RS256', material: pem({ kty: 'RSA', n: A2_N, e: 'AQAB' }) })],
    ['A.3 (ES256)', 'ES256', A3, (): KeyResolver => createStaticKeyResolver({ algorithm: 'ES256', material: pem(A3_JWK) })],
  ] as const;
  const settings = (alg: JwtAlgorithm) => settingsFor([alg], { claims: { userId: 'iss' }, maxLifetimeSeconds: 60 });

  it.each(vectors)('verifies the example in %s', async (_label, alg, token, keys) => {
    await expect(verifyJwt(token, settings(alg), keys(), RFC_NOW)).resolves.toEqual({
      ok: true,
      identity: { userId: 'joe', roles: [], expiresAt: 1_300_819_380 },
    });
  });

  it.each(vectors)('rejects the example in %s with one signature byte changed', async (_label, alg, token, keys) => {
    await expect(verifyJwt(flipSignatureByte(token, 5), settings(alg), keys(), RFC_NOW)).resolves.toEqual(rejected('signature_invalid'));
  });

  it.each(vectors)('rejects the example in %s with one payload byte changed', async (_label, alg, token, keys) => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const changed = Buffer.from(payload, 'base64url').toString('utf8').replace('"joe"', '"jof"');
    const tampered = `${header}.${Buffer.from(changed).toString('base64url')}.${signature}`;
    await expect(verifyJwt(tampered, settings(alg), keys(), RFC_NOW)).resolves.toEqual(rejected('signature_invalid'));
  });

  it.each(vectors)('rejects the example in %s once it has expired', async (_label, alg, token, keys) => {
    await expect(verifyJwt(token, settings(alg), keys(), 1_300_819_380 + 5)).resolves.toEqual(rejected('token_expired'));
  });
});

describe('readJwtSettings', () => {
  it('applies the documented defaults', () => {
    expect(readJwtSettings({ JWT_ALGORITHMS: 'RS256' })).toEqual({
      algorithms: ['RS256'],
      clockToleranceSeconds: 5,
      maxLifetimeSeconds: 86_400,
      maxTokenLength: 8192,
      claims: { userId: 'sub', tenantId: 'tenant_id', roles: 'roles', sessionId: 'sid' },
    });
  });

  it('reads every setting', () => {
    expect(
      readJwtSettings({
        JWT_ALGORITHMS: 'RS256, ES256,RS256',
        JWT_ISSUER: 'https://id.example.com/',
        JWT_AUDIENCE: 'ws, api',
        JWT_CLOCK_TOLERANCE_SECONDS: '0',
        JWT_MAX_AGE_SECONDS: '3600',
        JWT_MAX_LIFETIME_SECONDS: '604800',
        JWT_MAX_TOKEN_LENGTH: '16384',
        JWT_TYP: 'at+jwt',
        JWT_USER_ID_CLAIM: 'uid',
        JWT_TENANT_ID_CLAIM: 'org',
        JWT_ROLES_CLAIM: 'scope',
        JWT_SESSION_ID_CLAIM: 'session',
      }),
    ).toEqual({
      algorithms: ['RS256', 'ES256'],
      issuer: 'https://id.example.com/',
      audience: ['ws', 'api'],
      clockToleranceSeconds: 0,
      maxAgeSeconds: 3600,
      maxLifetimeSeconds: 604_800,
      maxTokenLength: 16_384,
      typ: 'at+jwt',
      claims: { userId: 'uid', tenantId: 'org', roles: 'scope', sessionId: 'session' },
    });
  });

  it.each([
    ['JWT_ALGORITHMS', undefined],
    ['JWT_ALGORITHMS', ''],
    ['JWT_ALGORITHMS', ' , '],
    ['JWT_ALGORITHMS', 'none'],
    ['JWT_ALGORITHMS', 'hs256'],
    ['JWT_ALGORITHMS', 'HS256,HS512'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', '1e3'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', 'NaN'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', '-1'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', 'Infinity'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', '301'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', '5.5'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', ' '],
    ['JWT_MAX_AGE_SECONDS', '0'],
    ['JWT_MAX_AGE_SECONDS', '604801'],
    ['JWT_MAX_AGE_SECONDS', '1e3'],
    ['JWT_MAX_LIFETIME_SECONDS', '59'],
    ['JWT_MAX_LIFETIME_SECONDS', '604801'],
    ['JWT_MAX_LIFETIME_SECONDS', 'Infinity'],
    ['JWT_MAX_TOKEN_LENGTH', '255'],
    ['JWT_MAX_TOKEN_LENGTH', '16385'],
    ['JWT_MAX_TOKEN_LENGTH', '8k'],
    ['JWT_TYP', ' JWT'],
    ['JWT_USER_ID_CLAIM', '__proto__'],
    ['JWT_TENANT_ID_CLAIM', 'constructor'],
    ['JWT_ROLES_CLAIM', ' roles'],
  ])('rejects %s=%j with a ConfigError naming the variable', (name, value) => {
    const env: Record<string, string | undefined> = { JWT_ALGORITHMS: 'HS256', [name]: value };
    const read = () => readJwtSettings(env);
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(name);
  });

  it('rejects a claim name longer than 256 characters', () => {
    expect(() => readJwtSettings({ JWT_ALGORITHMS: 'HS256', JWT_SESSION_ID_CLAIM: 's'.repeat(257) })).toThrow('JWT_SESSION_ID_CLAIM');
  });
});
