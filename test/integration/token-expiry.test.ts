import { connect, eventually, sleep, type TestClient } from '../helpers/clients';
import { allItems } from '../helpers/dynamo';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { startTestProject } from '../helpers/project-sandbox';

const APP = 'ws-sessions.v1';
const key = signingKey('ES256', 'ec-1');
const claims = { sub: 'user-9', iss: 'https://issuer.example.com', roles: ['reader'] };
const nowSeconds = () => Math.floor(Date.now() / 1000);
/** Until the clock reads past `exp` + `graceSeconds` (the functions compare whole seconds). */
const pastExpiry = async (exp: number, graceSeconds: number) => {
  while (nowSeconds() <= exp + graceSeconds) await sleep(100);
};

describe('tokens expire on live connections (real handlers)', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let project: Awaited<ReturnType<typeof startTestProject>>;
  const newestConnectionId = (before: Set<string>) => [...project.sandbox.gateway.connections.keys()].find((id) => !before.has(id))!;
  const open = async (exp: number): Promise<{ client: TestClient; connectionId: string }> => {
    const before = new Set(project.sandbox.gateway.connections.keys());
    const client = await connect(project.sandbox.url, { protocols: [APP, `bearer.${signToken(key, { ...claims, exp })}`] });
    return { client, connectionId: newestConnectionId(before) };
  };
  const itemsOf = async (connectionId: string) => (await allItems(project.tableName)).filter((item) => item.PK === `CONNECTION#${connectionId}`);

  beforeAll(async () => {
    jwks = await startJwksServer([key]);
    project = await startTestProject({
      authMode: 'jwt',
      // The message function closes an expired connection at its first message past exp; the
      // sweeper, with a longer grace here so the message path is seen first, closes idle ones.
      authExpiryGraceSeconds: 0,
      sweepEveryMs: 250,
      functionEnv: { sweeper: { AUTH_EXPIRY_GRACE_SECONDS: '2' } },
      jwt: { JWT_ALGORITHMS: 'ES256', JWT_ISSUER: claims.iss, JWT_JWKS_URL: jwks.url },
    });
    // Warm the functions up: a cold start must not eat the short tokens' lifetime below.
    const { client } = await open(nowSeconds() + 3600);
    client.send({ action: 'ping' });
    await client.next();
    client.ws.close();
    await client.closed;
  });
  afterAll(async () => {
    await project.sandbox.stop();
    await jwks.stop();
  });

  it('answers the first message after the token expired with AUTH_EXPIRED and closes the connection', async () => {
    const exp = nowSeconds() + 3;
    const { client, connectionId } = await open(exp);
    client.send({ action: 'ping', id: 1 });
    expect(await client.next()).toEqual({ type: 'pong', id: 1, ts: expect.any(Number) });
    expect(await itemsOf(connectionId)).toEqual(
      expect.arrayContaining([expect.objectContaining({ SK: 'METADATA', tokenExpiresAt: String(exp) }), expect.objectContaining({ SK: 'TOKEN', GSI1SK: `DEADLINE#${String(exp).padStart(10, '0')}#${connectionId}` })]),
    );

    await pastExpiry(exp, 0);
    client.send({ action: 'ping', id: 2 });
    expect(await client.next()).toEqual({
      type: 'error',
      code: 'AUTH_EXPIRED',
      message: 'the token expired: refresh it with {"action":"auth","token":…} before it does',
      retryable: false,
      id: 2,
    });
    expect((await client.closed).code).toBe(1000);
    await eventually(async () => ((await itemsOf(connectionId)).length === 0 ? true : undefined), 5_000, 'the connection and its token deadline to be deleted');
  });

  it('keeps a connection whose token was refreshed with auth, under the new token\'s roles', async () => {
    const exp = nowSeconds() + 3;
    const { client } = await open(exp);
    client.send({ action: 'broadcast', data: 'hello', id: 'b1' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'FORBIDDEN', id: 'b1' });

    const later = nowSeconds() + 3600;
    client.send({ action: 'auth', token: signToken(key, { ...claims, roles: ['admin'], exp: later }), id: 'r' });
    expect(await client.next()).toEqual({ type: 'ack', action: 'auth', id: 'r', userId: 'user-9', expiresAt: later });

    await pastExpiry(exp, 2);
    client.send({ action: 'ping', id: 'p' });
    expect(await client.next()).toMatchObject({ type: 'pong', id: 'p' });
    client.send({ action: 'broadcast', data: 'hello', id: 'b2' });
    const ack = await client.next();
    expect(ack).toMatchObject({ type: 'ack', action: 'broadcast', id: 'b2' });
    // Its own copy: the fan-out is done before the next test connects.
    expect(await client.next(10_000)).toMatchObject({ type: 'message', id: (ack as { messageId: string }).messageId, data: 'hello' });
    client.ws.close();
  });

  it('refuses a refresh for another user and still closes the connection when its token expires', async () => {
    const exp = nowSeconds() + 3;
    const { client } = await open(exp);
    client.send({ action: 'auth', token: signToken(key, { ...claims, sub: 'user-10', exp: exp + 3600 }), id: 'x' });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'AUTH_INVALID', id: 'x' });
    await pastExpiry(exp, 0);
    client.send({ action: 'ping', id: 3 });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'AUTH_EXPIRED', id: 3 });
    expect((await client.closed).code).toBe(1000);
  });

  it('closes an idle connection whose token expired from the sweeper, telling it why', async () => {
    const exp = nowSeconds() + 1;
    const { client, connectionId } = await open(exp);
    expect(await client.next(10_000)).toEqual({ type: 'error', code: 'AUTH_EXPIRED', message: 'the token expired', retryable: false });
    expect((await client.closed).code).toBe(1000);
    expect(nowSeconds()).toBeGreaterThan(exp + 2);
    await eventually(async () => ((await itemsOf(connectionId)).length === 0 ? true : undefined), 5_000, 'the connection and its token deadline to be deleted');
  });
});
