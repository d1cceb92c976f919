import { connect, eventually, handshakeStatus, type TestClient } from '../helpers/clients';
import { allItems } from '../helpers/dynamo';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { startTestProject } from '../helpers/project-sandbox';

const APP = 'ws-sessions.v1';
const key = signingKey('ES256', 'ec-1');
const claims = { sub: 'user-7', iss: 'https://issuer.example.com', roles: ['reader'] };

describe('two-phase auth through the real handlers', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let project: Awaited<ReturnType<typeof startTestProject>>;
  const itemOf = async (connectionId: string) => (await allItems(project.tableName)).find((i) => i.connectionId === connectionId);
  const newestConnectionId = (before: Set<string>) => [...project.sandbox.gateway.connections.keys()].find((id) => !before.has(id))!;
  const open = async (): Promise<{ client: TestClient; connectionId: string }> => {
    const before = new Set(project.sandbox.gateway.connections.keys());
    const client = await connect(project.sandbox.url, { protocols: APP });
    return { client, connectionId: newestConnectionId(before) };
  };

  beforeAll(async () => {
    jwks = await startJwksServer([key]);
    project = await startTestProject({
      authMode: 'two-phase',
      authDeadlineSeconds: 2,
      sweepEveryMs: 250,
      jwt: { JWT_ALGORITHMS: 'ES256', JWT_ISSUER: claims.iss, JWT_JWKS_URL: jwks.url },
    });
  });
  afterAll(async () => {
    await project.sandbox.stop();
    await jwks.stop();
  });
  beforeEach(() => project.logs.clear());

  it('opens with the app protocol alone and stores the connection as pending until its deadline', async () => {
    const { client, connectionId } = await open();
    expect(client.ws.protocol).toBe(APP);
    const item = await itemOf(connectionId);
    expect(item).toMatchObject({ authMode: 'two-phase', GSI1PK: expect.stringMatching(/^PENDING#[0-7]$/) });
    expect(item).not.toHaveProperty('userId');
    client.ws.close();
  });

  it('lets a pending connection ping, refuses anything else with AUTH_INVALID, and authenticates it with a valid token', async () => {
    const { client, connectionId } = await open();
    client.send({ action: 'ping', id: 1 });
    expect(await client.next()).toMatchObject({ type: 'pong', id: 1 });
    client.send({ action: 'publish', id: 2 });
    expect(await client.next()).toEqual({ type: 'error', code: 'AUTH_INVALID', message: 'authenticate first: send {"action":"auth","token":…}', retryable: false, id: 2 });

    const token = signToken(key, claims);
    client.send({ action: 'auth', token, id: 3 });
    expect(await client.next()).toEqual({ type: 'ack', action: 'auth', id: 3, userId: 'user-7', expiresAt: expect.any(Number) });
    expect(await itemOf(connectionId)).toMatchObject({ userId: 'user-7', GSI1PK: 'USER#user-7', GSI1SK: `CONNECTION#${connectionId}` });
    expect(await itemOf(connectionId)).not.toHaveProperty('authDeadline');
    expect(project.logs.text()).not.toContain(token);

    // Past the deadline, an authenticated connection is left alone by the sweeper.
    await new Promise((resolve) => setTimeout(resolve, 2_600));
    client.send({ action: 'ping', id: 4 });
    expect(await client.next()).toMatchObject({ type: 'pong', id: 4 });
    client.ws.close();
  });

  it.each([
    ['an expired token', () => signToken(key, { ...claims, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }), 'AUTH_EXPIRED', 'token_expired'],
    ['a token from another issuer', () => signToken(key, { ...claims, iss: 'https://evil.example.com' }), 'AUTH_INVALID', 'issuer_invalid'],
    ['garbage', () => 'garbage', 'AUTH_INVALID', 'malformed'],
  ])('answers %s with its error code and leaves the connection pending', async (_what, makeToken, code, reason) => {
    const { client, connectionId } = await open();
    client.send({ action: 'auth', token: makeToken(), id: 'a' });
    expect(await client.next()).toEqual({ type: 'error', code, message: `token rejected (${reason})`, retryable: false, id: 'a' });
    expect(await itemOf(connectionId)).not.toHaveProperty('userId');
    client.ws.close();
  });

  it('answers an auth frame without a token with BAD_MESSAGE', async () => {
    const { client } = await open();
    client.send({ action: 'auth', id: 'b' });
    expect(await client.next()).toEqual({ type: 'error', code: 'BAD_MESSAGE', message: '"token" must be a non-empty string', retryable: false, id: 'b' });
    client.ws.close();
  });

  it('refreshes the token of an authenticated connection for the same user, and refuses one for another user', async () => {
    const { client, connectionId } = await open();
    client.send({ action: 'auth', token: signToken(key, claims) });
    expect(await client.next()).toMatchObject({ type: 'ack', userId: 'user-7' });
    const later = Math.floor(Date.now() / 1000) + 7200;
    client.send({ action: 'auth', token: signToken(key, { ...claims, exp: later }) });
    expect(await client.next()).toEqual({ type: 'ack', action: 'auth', userId: 'user-7', expiresAt: later });
    client.send({ action: 'auth', token: signToken(key, { ...claims, sub: 'user-8' }), id: 'x' });
    expect(await client.next()).toEqual({ type: 'error', code: 'AUTH_INVALID', message: 'the token is for another user than the connection', retryable: false, id: 'x' });
    expect(await itemOf(connectionId)).toMatchObject({ userId: 'user-7', tokenExpiresAt: String(later) });
    client.ws.close();
  });

  it('closes a connection that never authenticates after its deadline, telling it why, and deletes its item', async () => {
    const { client, connectionId } = await open();
    expect(await client.next(5_000)).toEqual({ type: 'error', code: 'AUTH_EXPIRED', message: 'no auth before the deadline', retryable: false });
    expect((await client.closed).code).toBe(1000);
    await eventually(async () => ((await itemOf(connectionId)) === undefined ? true : undefined), 3_000, 'the pending item to be deleted');
    expect(await eventually(() => project.logs.records('sweeper').find((r) => r.event === 'sweep' && Number(r.closed) > 0))).toBeDefined();
  });

  it('refuses a handshake without the app protocol (401) and from an origin not allowed (403)', async () => {
    expect(await handshakeStatus(project.sandbox.url, { protocols: 'something-else' })).toBe(401);
    expect(await handshakeStatus(project.sandbox.url, { protocols: APP, origin: 'https://evil.example.com' })).toBe(403);
  });
});
