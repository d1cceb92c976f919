import { generateKeyPairSync } from 'node:crypto';
import { verifyJwt, type JwtSettings } from '../../functions/lib/auth/jwt';
import { createStaticKeyResolver } from '../../functions/lib/auth/keys';
import { ConfigError } from '../../packages/contract/src/config-error';
import { createAccessTokens, signingKey, SessionValidationError, type UserSession } from '../../packages/sessions/src';

const NOW_MS = Date.parse('2026-11-30T04:00:00Z');
const NOW = NOW_MS / 1000;
const SECRET = 's'.repeat(40);
const settings: JwtSettings = {
  algorithms: ['HS256', 'RS256', 'ES256'],
  issuer: 'https://chat.example.com',
  audience: ['chat-ws'],
  clockToleranceSeconds: 5,
  maxLifetimeSeconds: 3600,
  maxTokenLength: 8192,
  claims: { userId: 'sub', tenantId: 'tenant_id', roles: 'roles', sessionId: 'sid' },
};
const session: UserSession = {
  sessionId: '3f0c4a52-8d7e-4b1a-9c2d-5e6f7a8b9c0d',
  userId: 'user-7',
  email: 'ada@example.com',
  refreshTokenHash: 'h',
  expiresAt: NOW_MS + 86_400_000,
  device: {},
  staySignedIn: false,
  trusted: false,
  mfa: { status: 'not_required' },
  createdAt: NOW_MS,
  lastUsedAt: NOW_MS,
  version: 1,
};
const refuseRefresh = { refresh: () => Promise.reject(new Error('not used here')) };
const base = { sessions: refuseRefresh, issuer: 'https://chat.example.com', audience: 'chat-ws', nowMs: () => NOW_MS };

describe('access tokens for user sessions', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = (key: typeof ec.privateKey) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const spki = (key: typeof ec.publicKey) => key.export({ type: 'spki', format: 'pem' }).toString();

  it.each([
    ['HS256', SECRET, SECRET],
    ['ES256', pem(ec.privateKey), spki(ec.publicKey)],
    ['RS256', pem(rsa.privateKey), spki(rsa.publicKey)],
  ] as const)('issues a %s token the authorizer accepts, with the session as sub and sid', async (algorithm, material, verifying) => {
    const tokens = createAccessTokens({ ...base, key: signingKey({ algorithm, material, kid: 'k-1' }), claims: () => ({ roles: ['reader'], tenantId: 'tenant-3' }) });
    const issued = await tokens.issue(session);
    expect(issued).toMatchObject({ userId: 'user-7', sessionId: session.sessionId, expiresAt: NOW + 300 });
    expect(JSON.parse(Buffer.from(issued.token.split('.')[0]!, 'base64url').toString())).toEqual({ alg: algorithm, typ: 'JWT', kid: 'k-1' });
    const result = await verifyJwt(issued.token, settings, createStaticKeyResolver({ algorithm, material: verifying, kid: 'k-1' }), NOW);
    expect(result).toEqual({ ok: true, identity: { userId: 'user-7', sessionId: session.sessionId, roles: ['reader'], tenantId: 'tenant-3', expiresAt: NOW + 300 } });
  });

  it('never lets a token outlive its session', async () => {
    const tokens = createAccessTokens({ ...base, key: signingKey({ algorithm: 'HS256', material: SECRET }), ttlSeconds: 3600 });
    const issued = await tokens.issue({ ...session, expiresAt: NOW_MS + 90_000 });
    expect(issued.expiresAt).toBe(NOW + 90);
    await expect(tokens.issue({ ...session, expiresAt: NOW_MS })).rejects.toThrow(SessionValidationError);
  });

  it('takes claims given to issue over the claims option', async () => {
    const tokens = createAccessTokens({ ...base, key: signingKey({ algorithm: 'HS256', material: SECRET }), claims: () => ({ roles: ['admin'] }) });
    const { token } = await tokens.issue(session, { roles: ['reader', 'reader'] });
    const result = await verifyJwt(token, settings, createStaticKeyResolver({ algorithm: 'HS256', material: SECRET }), NOW);
    expect(result).toMatchObject({ ok: true, identity: { roles: ['reader'] } });
  });

  it.each([
    ['a role with a space', { roles: ['team admin'] }, 'roles'],
    ['51 roles', { roles: Array.from({ length: 51 }, (_, i) => `r${i}`) }, 'roles'],
    ['a tenant with a control character', { tenantId: 't\u0000' }, 'tenantId'],
  ])('refuses %s with a SessionValidationError naming the field', async (_what, claims, field) => {
    const tokens = createAccessTokens({ ...base, key: signingKey({ algorithm: 'HS256', material: SECRET }) });
    await expect(tokens.issue(session, claims)).rejects.toMatchObject({ name: 'SessionValidationError', field });
  });

  it.each([
    ['a short HMAC secret', () => signingKey({ algorithm: 'HS256', material: 'short' }), 'at least 32 bytes'],
    ['a public key for ES256', () => signingKey({ algorithm: 'ES256', material: spki(ec.publicKey) }), 'not a valid PEM private key'],
    ['an RSA key for ES256', () => signingKey({ algorithm: 'ES256', material: pem(rsa.privateKey) }), 'EC key on P-256'],
    ['an EC key for RS256', () => signingKey({ algorithm: 'RS256', material: pem(ec.privateKey) }), 'RSA key'],
    ['a kid with a slash', () => signingKey({ algorithm: 'HS256', material: SECRET, kid: 'a/b' }), 'signing key id'],
    ['a lifetime of 2 hours', () => createAccessTokens({ ...base, key: signingKey({ algorithm: 'HS256', material: SECRET }), ttlSeconds: 7200 }), 'ttlSeconds'],
    ['an empty issuer', () => createAccessTokens({ ...base, issuer: '', key: signingKey({ algorithm: 'HS256', material: SECRET }) }), 'issuer'],
  ])('refuses %s with a ConfigError', (_what, make, message) => {
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(message);
  });
});
