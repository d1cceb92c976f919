import { createSessionCheck } from '../../functions/lib/auth/session-check';
import { createAccessTokens, createSessionLookup, RefreshTokenReusedError, signingKey as sessionSigningKey, type AccessTokens } from '../../packages/sessions/src';
import { connect, eventually, handshakeStatus } from '../helpers/clients';
import { createTestTable, documentClient } from '../helpers/dynamo';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { startTestProject } from '../helpers/project-sandbox';
import { device, testSessionService } from '../helpers/user-sessions';

const APP = 'ws-sessions.v1';
const ISSUER = 'https://chat.example.com';
const AUDIENCE = 'chat-ws';
const ec = signingKey('ES256', 'ec-sessions-1');
const key = sessionSigningKey({ algorithm: 'ES256', material: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), kid: ec.kid });
let users = 0;
const newUser = (): string => `user-${(users += 1)}-${Date.now()}`;

describe('access tokens renewed through the session service', () => {
  let tableName: string;
  let service: ReturnType<typeof testSessionService>['service'];
  let tokens: AccessTokens;

  beforeAll(async () => {
    tableName = await createTestTable('session-tokens');
    ({ service } = testSessionService(tableName, { settings: { refreshGraceSeconds: 0 } }));
    tokens = createAccessTokens({ sessions: service, key, issuer: ISSUER, audience: AUDIENCE, claims: () => ({ roles: ['reader'] }) });
  });

  it('renews a token for the same session with a rotated refresh token', async () => {
    const { session, refreshToken } = await service.create({ userId: newUser(), email: 'ada@example.com', device });
    const first = await tokens.issue(session);
    const renewed = await tokens.renew(refreshToken);
    expect(renewed.accessToken).toMatchObject({ sessionId: session.sessionId, userId: session.userId });
    expect(renewed.accessToken.token).not.toBe(first.token);
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims(renewed.accessToken.token)).toMatchObject({ sub: session.userId, sid: session.sessionId, roles: ['reader'], iss: ISSUER, aud: AUDIENCE });
    expect(claims(renewed.accessToken.token).sid).toBe(claims(first.token).sid);
    expect(renewed.refreshToken).not.toBe(refreshToken);
    expect(renewed.session.version).toBeGreaterThan(session.version);
  });

  it('revokes the session when a rotated refresh token is presented again, and issues nothing', async () => {
    const { session, refreshToken } = await service.create({ userId: newUser(), email: 'ada@example.com', device });
    await tokens.renew(refreshToken);
    await expect(tokens.renew(refreshToken)).rejects.toBeInstanceOf(RefreshTokenReusedError);
    expect(await service.get(session)).toBeUndefined();
  });
});

describe('the authorizer’s session check against the table', () => {
  let tableName: string;
  let service: ReturnType<typeof testSessionService>['service'];
  let clock = Date.now();
  const settings = { check: true, requireSessionId: false, cacheSeconds: 5, cacheSize: 2 };

  beforeAll(async () => {
    tableName = await createTestTable('session-check');
    ({ service } = testSessionService(tableName));
  });

  it('answers from the cache for at most cacheSeconds, then sees the deletion', async () => {
    const check = createSessionCheck(settings, createSessionLookup({ tableName, client: documentClient() }), () => clock);
    const { session } = await service.create({ userId: newUser(), email: 'ada@example.com', device });
    expect(await check(session)).toEqual({ ok: true, cache: 'miss' });
    expect(await check(session)).toEqual({ ok: true, cache: 'hit' });
    await service.delete(session);
    // Within the bound the container may still say live: the documented staleness.
    clock += 4_999;
    expect(await check(session)).toEqual({ ok: true, cache: 'hit' });
    clock += 1;
    expect(await check(session)).toEqual({ ok: false, reason: 'session_revoked', cache: 'miss' });
    expect(check.stats()).toEqual({ hits: 2, misses: 2, size: 1 });
  });

  it('keeps at most cacheSize answers, dropping the oldest', async () => {
    const check = createSessionCheck(settings, createSessionLookup({ tableName, client: documentClient() }), () => clock);
    const created = await Promise.all([1, 2, 3].map(() => service.create({ userId: newUser(), email: 'ada@example.com' })));
    for (const { session } of created) await check(session);
    expect(check.stats()).toMatchObject({ misses: 3, size: 2 });
    expect(await check(created[0]!.session)).toMatchObject({ cache: 'miss' });
    expect(await check(created[2]!.session)).toMatchObject({ cache: 'hit' });
  });

  it('refuses a sid that is not a session id, and a token without sid only when sid is required', async () => {
    const check = createSessionCheck({ ...settings, requireSessionId: true }, createSessionLookup({ tableName, client: documentClient() }), () => clock);
    expect(await check({ userId: 'user-1', sessionId: 'not-a-session' })).toEqual({ ok: false, reason: 'session_revoked', cache: 'miss' });
    expect(await check({ userId: 'user-1' })).toEqual({ ok: false, reason: 'session_id_missing' });
    const lenient = createSessionCheck(settings, createSessionLookup({ tableName, client: documentClient() }), () => clock);
    expect(await lenient({ userId: 'user-1' })).toEqual({ ok: true, cache: 'off' });
  });

  it('fails closed when the table cannot be read, and keeps no answer', async () => {
    const check = createSessionCheck(settings, createSessionLookup({ tableName: 'no-such-table', client: documentClient() }), () => clock);
    const ref = { userId: 'user-1', sessionId: '3f0c4a52-8d7e-4b1a-9c2d-5e6f7a8b9c0d' };
    expect(await check(ref)).toEqual({ ok: false, reason: 'session_unavailable' });
    expect(await check(ref)).toEqual({ ok: false, reason: 'session_unavailable' });
    expect(check.stats()).toEqual({ hits: 0, misses: 2, size: 0 });
  });
});

describe('session tokens through the sandbox', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let service: ReturnType<typeof testSessionService>['service'];
  let tokens: AccessTokens;

  beforeAll(async () => {
    jwks = await startJwksServer([ec]);
    project = await startTestProject({
      authMode: 'jwt',
      jwt: { JWT_ALGORITHMS: 'ES256', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: jwks.url },
      // No answer kept: a revocation is seen by the next $connect (the deployed bound is JWT_SESSION_CACHE_SECONDS, at most 5 s).
      functionEnv: { authorizer: { JWT_SESSION_CHECK: 'true', JWT_SESSION_CACHE_SECONDS: '0' } },
    });
    ({ service } = testSessionService(project.tableName, { settings: { maxSessionsPerUser: 1 } }));
    tokens = createAccessTokens({ sessions: service, key, issuer: ISSUER, audience: AUDIENCE });
  });
  afterAll(async () => {
    await project.sandbox.stop();
    await jwks.stop();
  });
  beforeEach(() => project.logs.clear());

  const offer = (token: string) => ({ protocols: [APP, `bearer.${token}`] });
  const refused = async (token: string) => {
    expect(await handshakeStatus(project.sandbox.url, offer(token))).toBe(401);
    return eventually(() => project.logs.records('authorizer').find((record) => record.event === 'reject'));
  };

  it('connects with the token of a live session', async () => {
    const { session } = await service.create({ userId: newUser(), email: 'ada@example.com', device });
    const client = await connect(project.sandbox.url, offer((await tokens.issue(session)).token));
    expect(client.ws.protocol).toBe(APP);
    client.ws.close();
    expect(await eventually(() => project.logs.records('authorizer').find((record) => record.event === 'authorize'))).toMatchObject({ sessionCache: 'miss' });
  });

  it('connects with a token without sid as before, with no session read', async () => {
    const client = await connect(project.sandbox.url, offer(signToken(ec, { sub: newUser(), iss: ISSUER, aud: AUDIENCE })));
    client.ws.close();
    const line = await eventually(() => project.logs.records('authorizer').find((record) => record.event === 'authorize'));
    expect(line).not.toHaveProperty('sessionCache');
  });

  it.each([
    ['deleted', async (ref: { userId: string; sessionId: string }) => void (await service.delete(ref))],
    ['logged out everywhere', async (ref: { userId: string; sessionId: string }) => void (await service.deleteAll(ref.userId))],
    ['evicted by a newer login', async (ref: { userId: string; sessionId: string }) => void (await service.create({ userId: ref.userId, email: 'ada@example.com' }))],
  ])('refuses the token of a session %s with session_revoked', async (_what, end) => {
    const { session } = await service.create({ userId: newUser(), email: 'ada@example.com', device });
    const { token } = await tokens.issue(session);
    (await connect(project.sandbox.url, offer(token))).ws.close();
    await end(session);
    expect(await refused(token)).toMatchObject({ reason: 'session_revoked', status: 401 });
    expect(project.logs.text()).not.toContain(token);
  });
});
