/** Eviction, logout and a backend's disconnect close live sockets through the fan-out path (real ws clients, the sandbox, DynamoDB Local). */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createPublisher, PublishError, type Publisher } from '../../packages/publisher/src/index';
import { closeSocketsOnSessionEnd, createAccessTokens, RefreshTokenReusedError, signingKey as sessionSigningKey, type AccessTokens, type SocketClosing, type UserSession } from '../../packages/sessions/src';
import { groupIdOf, userChannel } from '../../packages/contract/src';
import { createConnectionStore } from '../../functions/lib/store/connection-store';
import { FANOUT_DLQ, FANOUT_QUEUE } from '../../sandbox/project';
import { connect, eventually, type TestClient } from '../helpers/clients';
import { allItems, documentClient } from '../helpers/dynamo';
import { signingKey, startJwksServer } from '../helpers/jwks';
import { startTestProject } from '../helpers/project-sandbox';
import { device, testSessionService } from '../helpers/user-sessions';

const APP = 'ws-sessions.v1';
const ISSUER = 'https://chat.example.com';
const AUDIENCE = 'chat-ws';
const ec = signingKey('ES256', 'ec-close-1');
const key = sessionSigningKey({ algorithm: 'ES256', material: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), kid: ec.kid });
let users = 0;
const newUser = (): string => `closer-${(users += 1)}-${Date.now()}`;
type Frame = Record<string, unknown>;
/** Generous: the machine is shared and slow; speed is measured by scripts/bench-eviction.ts, never here. */
const WAIT_MS = 30_000;

jest.setTimeout(120_000);

describe('closing live sockets when their session ends', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let sqs: SQSClient;
  let publisher: Publisher;
  let service: ReturnType<typeof testSessionService>['service'];
  let tokens: AccessTokens;
  let closing: SocketClosing;
  const tenant = `tenant-${Date.now()}`;

  beforeAll(async () => {
    jwks = await startJwksServer([ec]);
    project = await startTestProject({
      authMode: 'jwt',
      jwt: { JWT_ALGORITHMS: 'ES256', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: jwks.url },
    });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
    publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs, tableName: project.tableName, documents: documentClient() });
    ({ service } = testSessionService(project.tableName, { clock: 'strict', settings: { maxSessionsPerUser: 5, refreshGraceSeconds: 0 } }));
    tokens = createAccessTokens({ sessions: service, key, issuer: ISSUER, audience: AUDIENCE, claims: () => ({ tenantId: tenant }) });
    closing = closeSocketsOnSessionEnd(service, publisher);
  });
  afterAll(async () => {
    closing.stop();
    sqs.destroy();
    await project.sandbox.stop();
    await jwks.stop();
  });

  const login = async (userId: string) => (await service.create({ userId, email: 'ada@example.com', device })).session;
  const socketOf = async (session: UserSession): Promise<TestClient> => connect(project.sandbox.url, { protocols: [APP, `bearer.${(await tokens.issue(session)).token}`] });
  /** `hello` → the connection's resumable session and its resume token. */
  const hello = async (client: TestClient): Promise<{ sessionId: string; resumeToken: string }> => {
    client.send({ action: 'hello' });
    return (await client.next(WAIT_MS)) as { sessionId: string; resumeToken: string };
  };
  /** The frame a closed socket got, and that it then closed. */
  const closedWith = async (client: TestClient): Promise<Frame> => {
    const frame = (await client.next(WAIT_MS)) as Frame;
    await client.closed;
    return frame;
  };
  const stillOpen = async (client: TestClient) => {
    client.send({ action: 'ping', id: 'p' });
    expect(await client.next(WAIT_MS)).toMatchObject({ type: 'pong', id: 'p' });
  };
  /** Items of the connections (connection, token deadline, subscriptions), and the user's connection counter unless it counts none (it expires by TTL). */
  const userItems = async (userId: string, connectionIds: string[]) =>
    (await allItems(project.tableName)).filter((item) => connectionIds.some((id) => JSON.stringify(item).includes(id)) || (item.PK === `USER#${userId}` && item.SK === 'CONNECTIONS' && Number(item.count) !== 0));

  it("a sixth login evicts the least recently used session: its socket gets SESSION_EVICTED and closes, and its resume is refused; the others stay open", async () => {
    const userId = newUser();
    const sessions: UserSession[] = [];
    for (let n = 0; n < 5; n += 1) sessions.push(await login(userId));
    const [oldest, next] = sessions as [UserSession, UserSession];
    const evicted = await socketOf(oldest);
    const { sessionId, resumeToken } = await hello(evicted);
    const kept = await socketOf(next);
    await login(userId);
    await closing.settled();
    expect(await closedWith(evicted)).toEqual({ type: 'error', code: 'SESSION_EVICTED', message: 'the connection is closed (SESSION_EVICTED)', retryable: false, reason: 'SESSION_EVICTED' });
    await stillOpen(kept);
    kept.send({ action: 'resume', sessionId, resumeToken, id: 'r' });
    expect(await kept.next(WAIT_MS)).toMatchObject({ type: 'error', code: 'SESSION_EVICTED', reason: 'SESSION_EVICTED', id: 'r', retryable: false });
    await stillOpen(kept);
    kept.ws.close();
  });

  it('reaches and evicts a user whose id has spaces and accented letters, as any id a token may carry', async () => {
    const userId = `Zoë Ünïcode ${newUser()}`;
    const sessions: UserSession[] = [];
    for (let n = 0; n < 5; n += 1) sessions.push(await login(userId));
    const socket = await socketOf(sessions[0]!);
    await hello(socket);
    const id = await publisher.sendToUser(userId, { hello: 'Zoë' });
    expect(await socket.next(WAIT_MS)).toEqual({ type: 'message', channel: userChannel(userId), seq: 1, id, data: { hello: 'Zoë' } });
    await login(userId);
    await closing.settled();
    expect(await closedWith(socket)).toMatchObject({ type: 'error', code: 'SESSION_EVICTED', reason: 'SESSION_EVICTED' });
  });

  it('logout everywhere closes every socket of the user and leaves nothing of them in the table', async () => {
    const userId = newUser();
    const [a, b] = [await login(userId), await login(userId)];
    const sockets = [await socketOf(a), await socketOf(a), await socketOf(b)];
    await hello(sockets[0]!);
    sockets[2]!.send({ action: 'subscribe', channel: `room-${userId}`, id: 's' });
    expect(await sockets[2]!.next(WAIT_MS)).toMatchObject({ type: 'ack', id: 's' });
    const connectionIds = (await publisher.getByUser(userId)).map((c) => c.connectionId);
    expect(connectionIds).toHaveLength(3);
    await service.deleteAll(userId);
    await closing.settled();
    for (const socket of sockets) expect(await closedWith(socket)).toMatchObject({ code: 'SESSION_REVOKED', reason: 'SESSION_REVOKED' });
    await eventually(async () => ((await userItems(userId, connectionIds)).length === 0 ? true : undefined), WAIT_MS, 'no item of the closed connections');
    expect(await publisher.getByUser(userId)).toEqual([]);
  });

  it("logout of one device closes only that device's sockets", async () => {
    const userId = newUser();
    const [phone, laptop] = [await login(userId), await login(userId)];
    const phoneSockets = [await socketOf(phone), await socketOf(phone)];
    const laptopSocket = await socketOf(laptop);
    await service.delete(phone);
    await closing.settled();
    for (const socket of phoneSockets) expect(await closedWith(socket)).toMatchObject({ code: 'SESSION_REVOKED' });
    await stillOpen(laptopSocket);
    // The items go just after the close (the order: frame, DeleteConnection, removal).
    await eventually(async () => ((await publisher.getByUser(userId)).length === 1 ? true : undefined), WAIT_MS, "only the laptop's connection left");
    expect((await publisher.getByUser(userId)).map((c) => c.sessionId)).toEqual([laptop.sessionId]);
    laptopSocket.ws.close();
  });

  it("a refresh token presented again revokes its session: that session's socket gets SESSION_REVOKED and closes", async () => {
    const userId = newUser();
    const { session, refreshToken } = await service.create({ userId, email: 'ada@example.com', device });
    const other = await login(userId);
    const revoked = await socketOf(session);
    const kept = await socketOf(other);
    await service.refresh(refreshToken);
    await expect(service.refresh(refreshToken)).rejects.toBeInstanceOf(RefreshTokenReusedError);
    await closing.settled();
    expect(await closedWith(revoked)).toMatchObject({ code: 'SESSION_REVOKED', reason: 'SESSION_REVOKED' });
    await stillOpen(kept);
    kept.ws.close();
  });

  it('reads connections with their identity, session and connectedAt: one, a user’s, a tenant’s a page at a time', async () => {
    const userId = newUser();
    const session = await login(userId);
    const sockets = [await socketOf(session), await socketOf(session), await socketOf(session)];
    const mine = await publisher.getByUser(userId);
    expect(mine).toHaveLength(3);
    for (const info of mine) {
      expect(info).toEqual({ connectionId: expect.any(String), userId, tenantId: tenant, authMode: 'jwt', sessionId: session.sessionId, connectedAt: expect.any(Number) });
      expect(await publisher.get(info.connectionId)).toEqual(info);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await publisher.getByTenant(tenant, { limit: 2, cursor });
      expect(page.connections.length).toBeLessThanOrEqual(2);
      seen.push(...page.connections.map((c) => c.connectionId));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(mine.map((c) => c.connectionId)));
    expect(new Set(seen).size).toBe(seen.length);
    expect(await publisher.get('not-connected')).toBeUndefined();
    for (const socket of sockets) socket.ws.close();
  });

  it('a backend disconnects one connection with its own reason: DISCONNECTED with the reason, and its resume is refused', async () => {
    const userId = newUser();
    const session = await login(userId);
    const target = await socketOf(session);
    const { sessionId, resumeToken } = await hello(target);
    const other = await socketOf(session);
    // The connection `hello` was sent on is the one its resumable session is linked to.
    const linked = (await allItems(project.tableName)).find((item) => item.PK === `SESSION#${sessionId}`);
    const targetId = linked?.connectionId as string;
    expect((await publisher.getByUser(userId)).map((c) => c.connectionId)).toContain(targetId);
    await publisher.disconnect({ connectionId: targetId, reason: 'ACCOUNT_LOCKED' });
    expect(await closedWith(target)).toEqual({ type: 'error', code: 'DISCONNECTED', message: 'the connection is closed (ACCOUNT_LOCKED)', retryable: false, reason: 'ACCOUNT_LOCKED' });
    other.send({ action: 'resume', sessionId, resumeToken, id: 7 });
    expect(await other.next(WAIT_MS)).toMatchObject({ type: 'error', code: 'DISCONNECTED', reason: 'ACCOUNT_LOCKED', id: 7 });
    await stillOpen(other);
    other.ws.close();
  });

  it('a disconnect record delivered twice closes the socket once and dead-letters nothing', async () => {
    const userId = newUser();
    const session = await login(userId);
    const socket = await socketOf(session);
    const dlq = project.sandbox.queues.get(FANOUT_DLQ)!;
    const deadBefore = dlq.stats().sent;
    const body = JSON.stringify({ v: 1, kind: 'disconnect', id: `twice-${userId}`, target: { type: 'user', userId, sessionId: session.sessionId }, reason: 'SESSION_REVOKED', requestedAt: Date.now() });
    // Two sends past deduplication: what a redelivery of the record looks like to the consumer.
    for (const copy of ['a', 'b']) {
      await sqs.send(new SendMessageCommand({ QueueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, MessageBody: body, MessageGroupId: groupIdOf(userChannel(userId)), MessageDeduplicationId: `twice-${copy}-${userId}` }));
    }
    expect(await closedWith(socket)).toMatchObject({ code: 'SESSION_REVOKED' });
    await project.sandbox.queues.get(FANOUT_QUEUE)!.drained(WAIT_MS);
    const lines = project.logs.records('fanout').filter((line) => line.event === 'connections_closed' && line.id === `twice-${userId}`);
    expect(lines.map((line) => [line.matched, line.closed])).toEqual([
      [1, 1],
      [0, 0],
    ]);
    expect(socket.ws.readyState).toBe(socket.ws.CLOSED);
    expect(dlq.stats().sent).toBe(deadBefore);
  });

  it('a connection already gone (410 on the post) is only removed from the table, with no dead letter', async () => {
    const userId = newUser();
    const connectionId = `ghost-${userId}=`;
    const store = createConnectionStore({ client: documentClient(), tableName: project.tableName });
    // An item API Gateway no longer has a connection for: its $disconnect was missed.
    await store.putConnection({ connectionId, userId, authMode: 'jwt', sessionId: 'sid-ghost', connectedAt: Date.now(), expiresAt: Math.floor(Date.now() / 1000) + 600 });
    const dlq = project.sandbox.queues.get(FANOUT_DLQ)!;
    const deadBefore = dlq.stats().sent;
    await publisher.disconnect({ userId, sessionId: 'sid-ghost', reason: 'SESSION_REVOKED' });
    await eventually(async () => ((await store.getConnection(connectionId)) === undefined ? true : undefined), WAIT_MS, 'the ghost connection removed');
    await project.sandbox.queues.get(FANOUT_QUEUE)!.drained(WAIT_MS);
    expect(dlq.stats().sent).toBe(deadBefore);
  });

  it.each([
    ['no target', {}, 'BAD_TARGET'],
    ['both a connection and a user', { connectionId: 'c1', userId: 'u1' }, 'BAD_TARGET'],
    ['a session id with a connection', { connectionId: 'c1', sessionId: 's1' }, 'BAD_TARGET'],
    ['a user id with a control character', { userId: 'a\nb' }, 'BAD_TARGET'],
    ['a session id of 257 characters', { userId: 'u1', sessionId: 's'.repeat(257) }, 'BAD_TARGET'],
    ['a lower-case reason', { userId: 'u1', reason: 'locked' }, 'BAD_REASON'],
    ['a reason of 65 characters', { connectionId: 'c1', reason: 'R'.repeat(65) }, 'BAD_REASON'],
  ])('refuses a disconnect with %s, sending nothing', async (_name, target, code) => {
    const queue = project.sandbox.queues.get(FANOUT_QUEUE)!;
    const sentBefore = queue.stats().sent;
    await expect(publisher.disconnect(target as never)).rejects.toMatchObject({ name: 'PublishError', code });
    await publisher.flush();
    expect(queue.stats().sent).toBe(sentBefore);
  });

  it('refuses bad reads with a clear error, reading nothing', async () => {
    await expect(publisher.get('a b')).rejects.toMatchObject({ code: 'BAD_TARGET', message: 'connectionId must be 1–256 printable ASCII characters without spaces' });
    await expect(publisher.getByUser('')).rejects.toMatchObject({ code: 'BAD_TARGET' });
    await expect(publisher.getByTenant(tenant, { limit: 0 })).rejects.toMatchObject({ code: 'BAD_PAGE', message: 'limit must be a whole number from 1 to 100' });
    await expect(publisher.getByTenant(tenant, { limit: 1.5 })).rejects.toMatchObject({ code: 'BAD_PAGE' });
    await expect(publisher.getByTenant(tenant, { cursor: 'not json' })).rejects.toMatchObject({ code: 'BAD_PAGE' });
    const foreign = Buffer.from(JSON.stringify({ PK: 'CONNECTION#x', SK: 'METADATA', GSI2PK: 'TENANT#other', GSI2SK: 'CONNECTION#x' })).toString('base64url');
    await expect(publisher.getByTenant(tenant, { cursor: foreign })).rejects.toMatchObject({ code: 'BAD_PAGE', message: 'cursor must be one a getByTenant of the same tenant returned' });
    const withoutTable = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
    await expect(withoutTable.getByUser('u1')).rejects.toBeInstanceOf(PublishError);
    await expect(withoutTable.getByUser('u1')).rejects.toMatchObject({ code: 'NO_TABLE' });
  });
});
