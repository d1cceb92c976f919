import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { connectionCountKey } from '../../packages/contract/src/table-keys';
import { createConnectionStore } from '../../functions/lib/store/connection-store';
import { connect, eventually, handshakeStatus, type TestClient } from '../helpers/clients';
import { allItems, createTestTable, documentClient } from '../helpers/dynamo';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { startTestProject } from '../helpers/project-sandbox';

type Project = Awaited<ReturnType<typeof startTestProject>>;

/** The user's connection counter as stored, 0 when there is none. */
async function counted(tableName: string, userId: string): Promise<number> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName, Key: connectionCountKey(userId), ConsistentRead: true }));
  return Number(Item?.count ?? 0);
}

const countReaches = (tableName: string, userId: string, expected: number) =>
  eventually(async () => ((await counted(tableName, userId)) === expected ? true : undefined), 10_000, `the counter to reach ${expected}`);

describe('per-user connection cap (a counter kept in the connection transactions)', () => {
  let project: Project;

  beforeAll(async () => {
    project = await startTestProject({ maxConnectionsPerUser: 10 });
  });
  afterAll(() => project.sandbox.stop());
  beforeEach(() => project.logs.clear());

  it('lets exactly 10 of 25 concurrent handshakes with one id in, more again once some close, and counts back to 0', async () => {
    const userId = randomUUID();
    const outcomes = await Promise.allSettled(Array.from({ length: 25 }, () => connect(project.sandbox.url, { protocols: userId })));
    const open = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [(o.reason as { status?: number }).status] : []));
    try {
      expect(open).toHaveLength(10);
      expect(refused).toEqual(Array.from({ length: 15 }, () => 403));
      expect((await allItems(project.tableName)).filter((item) => item.userId === userId && item.SK === 'METADATA')).toHaveLength(10);
      expect(await counted(project.tableName, userId)).toBe(10);
      expect(await project.logs.waitForRecords('connect', (r) => r.reason === 'connection_cap', 15)).toHaveLength(15);

      for (const client of open.splice(0, 3)) client.ws.close();
      await countReaches(project.tableName, userId, 7);
      const again = await Promise.allSettled(Array.from({ length: 5 }, () => connect(project.sandbox.url, { protocols: userId })));
      open.push(...again.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : [])));
      expect(open).toHaveLength(10);
      expect(await handshakeStatus(project.sandbox.url, { protocols: userId })).toBe(403);
    } finally {
      for (const client of open) client.ws.close();
    }
    await countReaches(project.tableName, userId, 0);
    expect((await allItems(project.tableName)).filter((item) => item.userId === userId)).toHaveLength(0);
  });

  it('repairs a counter that claims more connections than exist (connection items the TTL deleted) when a handshake meets the cap', async () => {
    const userId = randomUUID();
    await documentClient().send(
      new PutCommand({
        TableName: project.tableName,
        Item: { ...connectionCountKey(userId), count: 10, generation: 'lost', ttl: Math.floor(Date.now() / 1000) + 3600, countedAt: Date.now() - 120_000 },
      }),
    );
    const client = await connect(project.sandbox.url, { protocols: userId });
    expect(await counted(project.tableName, userId)).toBe(1);
    expect(project.logs.records('connect').find((r) => r.event === 'connection_count_repaired')).toMatchObject({ was: 10, now: 0 });
    client.ws.close();
    await countReaches(project.tableName, userId, 0);
  });
});

describe('connection counter in the store (DynamoDB Local)', () => {
  let tableName: string;
  beforeAll(async () => {
    tableName = await createTestTable('cap');
  });

  it('counts a connection removed twice at once (a $disconnect racing a 410 clean-up) out once', async () => {
    const store = createConnectionStore({ client: documentClient(), tableName });
    const userId = randomUUID();
    const connection = (connectionId: string) => ({ connectionId, userId, authMode: 'anonymous' as const, connectedAt: Date.now(), expiresAt: Math.floor(Date.now() / 1000) + 7800 });
    expect(await store.putConnection(connection('c-1'), { maxPerUser: 2 })).toBe('stored');
    expect(await store.putConnection(connection('c-2'), { maxPerUser: 2 })).toBe('stored');
    expect(await store.putConnection(connection('c-3'), { maxPerUser: 2 })).toBe('full');
    expect(await counted(tableName, userId)).toBe(2);

    const removed = await Promise.all([store.deleteConnection('c-1'), store.deleteConnection('c-1'), store.deleteConnection('c-1')]);
    expect(removed.filter((r) => r?.connectionId === 'c-1')).toHaveLength(1);
    expect(await counted(tableName, userId)).toBe(1);
    expect(await store.deleteConnection('c-1')).toBeUndefined();
    expect(await counted(tableName, userId)).toBe(1);
    expect(await store.putConnection(connection('c-3'), { maxPerUser: 2 })).toBe('stored');
    await Promise.all([store.deleteConnection('c-2'), store.deleteConnection('c-3'), store.deleteConnection('c-2')]);
    expect(await counted(tableName, userId)).toBe(0);
  });
});

describe('two-phase: the cap is checked when a connection authenticates', () => {
  const APP = 'ws-sessions.v1';
  const key = signingKey('ES256', 'cap-1');
  const issuer = 'https://issuer.example.com';
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let project: Project;

  beforeAll(async () => {
    jwks = await startJwksServer([key]);
    project = await startTestProject({
      authMode: 'two-phase',
      maxConnectionsPerUser: 1,
      jwt: { JWT_ALGORITHMS: 'ES256', JWT_ISSUER: issuer, JWT_JWKS_URL: jwks.url },
    });
  });
  afterAll(async () => {
    await project.sandbox.stop();
    await jwks.stop();
  });

  const authenticate = async (client: TestClient, sub: string, id: number): Promise<unknown> => {
    client.send({ action: 'auth', token: signToken(key, { sub, iss: issuer }), id });
    return client.next();
  };

  it('refuses an auth over the cap with RATE_LIMITED and closes the connection; after a close the user gets in again', async () => {
    const sub = `user-${randomUUID()}`;
    const first = await connect(project.sandbox.url, { protocols: APP });
    expect(await authenticate(first, sub, 1)).toMatchObject({ type: 'ack', action: 'auth', id: 1, userId: sub });

    const second = await connect(project.sandbox.url, { protocols: APP });
    expect(await authenticate(second, sub, 2)).toEqual({ type: 'error', code: 'RATE_LIMITED', message: 'the user already holds 1 connections', retryable: false, id: 2 });
    expect((await second.closed).code).toBe(1000);
    expect(await counted(project.tableName, sub)).toBe(1);

    first.ws.close();
    await countReaches(project.tableName, sub, 0);
    const third = await connect(project.sandbox.url, { protocols: APP });
    expect(await authenticate(third, sub, 3)).toMatchObject({ type: 'ack', action: 'auth', id: 3, userId: sub });
    third.ws.close();
    await countReaches(project.tableName, sub, 0);
  });

  it('repairs a drifted counter when an auth meets the cap, as a handshake does', async () => {
    const sub = `user-${randomUUID()}`;
    await documentClient().send(
      new PutCommand({
        TableName: project.tableName,
        Item: { ...connectionCountKey(sub), count: 1, generation: 'lost', ttl: Math.floor(Date.now() / 1000) + 3600, countedAt: Date.now() - 120_000 },
      }),
    );
    const client = await connect(project.sandbox.url, { protocols: APP });
    expect(await authenticate(client, sub, 1)).toMatchObject({ type: 'ack', action: 'auth', id: 1, userId: sub });
    expect(await counted(project.tableName, sub)).toBe(1);
    expect(project.logs.records('message').find((r) => r.event === 'connection_count_repaired')).toMatchObject({ was: 1, now: 0 });
    client.ws.close();
    await countReaches(project.tableName, sub, 0);
  });
});

describe('per-source-IP handshake limit', () => {
  let project: Project;
  beforeAll(async () => {
    project = await startTestProject({ functionEnv: { connect: { HANDSHAKES_PER_IP: '3', HANDSHAKE_WINDOW_SECONDS: '3600' } } });
  });
  afterAll(() => project.sandbox.stop());

  it('answers handshakes from one IP beyond the limit with 429, whatever the user', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push(await handshakeStatus(project.sandbox.url, { protocols: randomUUID() }));
    expect(statuses).toEqual([101, 101, 101, 429]);
    expect(project.logs.records('connect').find((r) => r.event === 'reject')).toMatchObject({ reason: 'handshake_rate', status: 429, Rejects: 1 });
  });
});
