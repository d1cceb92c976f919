import { SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { createPublisher, type Publisher } from '../../packages/publisher/src';
import { cookieAttributes, openCookie, parseKeySet, sealCookie, sessionCookies, type CookieKeySet } from '../../packages/sessions/src/cookie';
import { FANOUT_QUEUE } from '../../sandbox/project';
import { connect, eventually, handshakeStatus, type ConnectOptions } from '../helpers/clients';
import { allItems } from '../helpers/dynamo';
import { keySet, keySetJson, rotate } from '../helpers/cookie-keys';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { startKeyStore, type KeyStore } from '../helpers/key-store';
import { startTestProject } from '../helpers/project-sandbox';
import { parseSetCookie } from '../helpers/set-cookie';
import { device, testSessionService } from '../helpers/user-sessions';

const APP = 'ws-sessions.v1';
const ISSUER = 'https://chat.example.com';
const ORIGIN = 'https://app.example.com';
const NAME = '__Host-session';
const PARAMETER = '/app/cookie-keys';
const ec = signingKey('ES256', 'ec-cookie-1');
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('the session cookie as the $connect credential, through the sandbox', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let store: KeyStore;
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let service: ReturnType<typeof testSessionService>['service'];
  let sqs: SQSClient;
  let publisher: Publisher;
  // The authorizer holds the rotated set (2026-10 still in it, 2026-11 current): cookies sealed before
  // the rotation, under 2026-10 alone, and after it must both open.
  const before = keySetJson(['2026-10']);
  const rotated = rotate(before, '2026-11');
  const current = parseKeySet(rotated);

  beforeAll(async () => {
    [jwks, store] = await Promise.all([startJwksServer([ec]), startKeyStore()]);
    store.values.set(PARAMETER, rotated);
    project = await startTestProject({
      authMode: 'jwt',
      jwt: { JWT_ALGORITHMS: 'ES256', JWT_ISSUER: ISSUER, JWT_JWKS_URL: jwks.url },
      settings: { SESSION_COOKIE_CONNECT: 'true', SESSION_COOKIE_KEYS_SSM_PARAMETER: PARAMETER },
      // Only the key store's endpoints: its stub credentials would open another database of DynamoDB Local.
      functionEnv: { authorizer: { AWS_ENDPOINT_URL_SSM: store.env.AWS_ENDPOINT_URL_SSM! } },
    });
    ({ service } = testSessionService(project.tableName, { settings: { maxSessionsPerUser: 1 } }));
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
    publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
  });
  afterAll(async () => {
    sqs?.destroy();
    await project?.sandbox.stop();
    await Promise.all([jwks?.stop(), store?.close()]);
  });
  beforeEach(() => project.logs.clear());

  /** A live session of a new user and its cookie, written as an HTTP handler would, under `keys`. */
  const signIn = async (keys: CookieKeySet = current) => {
    const { session } = await service.create({ userId: `user-${randomUUID()}`, email: 'ada@example.com', device });
    const cookies = sessionCookies({ keys, attributes: cookieAttributes({}) });
    const header = await cookies.write({ userId: session.userId, sessionId: session.sessionId, expiresAt: Math.floor(session.expiresAt / 1000) });
    return { session, value: parseSetCookie(header).value };
  };
  const withCookie = (value: string, origin: string | null = ORIGIN): ConnectOptions => ({ protocols: APP, headers: { Cookie: `theme=dark; ${NAME}=${value}` }, ...(origin === null ? {} : { origin }) });
  const lastDecision = () => eventually(() => project.logs.records('authorizer').find((record) => record.event === 'reject' || record.event === 'authorize'), 10_000, 'the decision');
  const refused = async (options: ConnectOptions, status = 401) => {
    expect(await handshakeStatus(project.sandbox.url, options)).toBe(status);
    return lastDecision();
  };

  it('connects with the cookie alone as the session’s user, receives a push, and answers the next connect from the cache', async () => {
    const { session, value } = await signIn();
    const client = await connect(project.sandbox.url, withCookie(value));
    expect(client.ws.protocol).toBe(APP);
    expect(await lastDecision()).toMatchObject({ event: 'authorize', sessionCache: 'miss' });
    const item = await eventually(async () => (await allItems(project.tableName)).find((i) => i.userId === session.userId && typeof i.connectionId === 'string'));
    expect(item).toMatchObject({ authMode: 'jwt', sessionId: session.sessionId, tokenExpiresAt: String(Math.floor(session.expiresAt / 1000)) });
    const id = await publisher.sendToUser(session.userId, { hello: 'cookie' });
    expect(await client.next(10_000)).toEqual({ type: 'message', channel: `user:${session.userId}`, seq: 1, id, data: { hello: 'cookie' } });

    project.logs.clear();
    (await connect(project.sandbox.url, withCookie(value))).ws.close();
    expect(await lastDecision()).toMatchObject({ event: 'authorize', sessionCache: 'hit' });
    client.ws.close();
    expect(project.logs.text()).not.toContain(value);
  });

  it('reads cookies sealed before the key rotation and after it', async () => {
    const old = await signIn(parseKeySet(before));
    const fresh = await signIn();
    for (const { value } of [old, fresh]) (await connect(project.sandbox.url, withCookie(value))).ws.close();
    expect(Buffer.from(old.value, 'base64url').subarray(2, 9).toString()).toBe('2026-10');
  });

  it('refuses the cookie with a byte flipped anywhere (version, key id, nonce, sealed data, tag) with the codec’s reason, and never a 500', async () => {
    const { value } = await signIn();
    const bytes = Buffer.from(value, 'base64url');
    for (const index of [0, 1, 4, 12, 30, bytes.length - 20, bytes.length - 1]) {
      const flipped = Buffer.from(bytes);
      flipped[index] = flipped[index]! ^ 0x01;
      const tampered = flipped.toString('base64url');
      const expected = openCookie({ keys: current, cookieName: NAME, value: tampered, nowSeconds: nowSeconds() });
      expect(expected.ok).toBe(false);
      project.logs.clear();
      expect({ index, decision: await refused(withCookie(tampered)) }).toMatchObject({ index, decision: { reason: `session_cookie_${!expected.ok && expected.reason}`, status: 401 } });
    }
  });

  it.each([
    ['an expired cookie', 'session_cookie_expired', (userId: string, sessionId: string) => sealCookie({ keys: current, cookieName: NAME, userId, sessionId, issuedAt: nowSeconds() - 7200, expiresAt: nowSeconds() - 3600 })],
    ['a cookie under a key id the set does not hold', 'session_cookie_unknown_key', (userId: string, sessionId: string) => sealCookie({ keys: keySet('2027-01'), cookieName: NAME, userId, sessionId, issuedAt: nowSeconds(), expiresAt: nowSeconds() + 3600 })],
    ['a cookie sealed under another name', 'session_cookie_tampered', (userId: string, sessionId: string) => sealCookie({ keys: current, cookieName: 'sid', userId, sessionId, issuedAt: nowSeconds(), expiresAt: nowSeconds() + 3600 })],
  ])('refuses %s of a live session with 401 (%s)', async (_label, reason, seal) => {
    const { session } = await service.create({ userId: `user-${randomUUID()}`, email: 'ada@example.com' });
    expect(await refused(withCookie(seal(session.userId, session.sessionId)))).toMatchObject({ reason, status: 401 });
  });

  it.each([
    ['logged out', async (ref: { userId: string; sessionId: string }) => void (await service.delete(ref))],
    ['evicted by a newer login', async (ref: { userId: string; sessionId: string }) => void (await service.create({ userId: ref.userId, email: 'ada@example.com' }))],
  ])('refuses the cookie of a session %s with session_revoked, once the cache bound has passed', async (_what, end) => {
    const { session, value } = await signIn();
    (await connect(project.sandbox.url, withCookie(value))).ws.close();
    await end(session);
    // JWT_SESSION_CACHE_SECONDS (5) bounds how long the container may still say live.
    await eventually(async () => ((await handshakeStatus(project.sandbox.url, withCookie(value))) === 401 ? true : undefined), 20_000, 'the refusal');
    expect(project.logs.records('authorizer').filter((record) => record.event === 'reject').at(-1)).toMatchObject({ reason: 'session_revoked', status: 401 });
  });

  it('refuses a cookie connect from a disallowed origin, and one without an Origin (403), though the session is live', async () => {
    const { value } = await signIn();
    expect(await refused(withCookie(value, 'https://evil.example.com'), 403)).toMatchObject({ reason: 'origin_not_allowed' });
    project.logs.clear();
    expect(await refused(withCookie(value, null), 403)).toMatchObject({ reason: 'session_cookie_origin_missing' });
  });

  it('lets a token decide alone when the handshake carries one beside the cookie', async () => {
    const { value } = await signIn();
    const badToken = signToken(ec, { sub: 'user-x', iss: 'https://evil.example.com' });
    expect(await refused({ ...withCookie(value), protocols: [APP, `bearer.${badToken}`] })).toMatchObject({ reason: 'issuer_invalid' });
    project.logs.clear();
    const token = signToken(ec, { sub: 'token-user', iss: ISSUER });
    (await connect(project.sandbox.url, { ...withCookie(value), protocols: [APP, `bearer.${token}`] })).ws.close();
    expect(await lastDecision()).toMatchObject({ event: 'authorize' });
    expect(await lastDecision()).not.toHaveProperty('sessionCache');
  });

  it('reads the key set once per container: one GetParameter for every cookie handshake (made one after the other, so in one container)', async () => {
    for (let n = 0; n < 2; n += 1) (await connect(project.sandbox.url, withCookie((await signIn()).value))).ws.close();
    expect(store.count('AmazonSSM.GetParameter', PARAMETER)).toBe(1);
  });

  it('refuses two session cookies, even of one value (ambiguous)', async () => {
    const { value } = await signIn();
    expect(await refused({ protocols: APP, origin: ORIGIN, headers: { Cookie: `${NAME}=${value}; ${NAME}=${value}` } })).toMatchObject({ reason: 'session_cookie_ambiguous' });
  });
});
