import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SWEEPER_INPUT } from '../../sandbox/project';
import { connectionCountKey, connectionKey, everyoneShardOf } from '../../packages/contract/src/table-keys';
import { audienceKeys } from '../../functions/lib/store/connection-store';
import { connect, sleep, type TestClient } from '../helpers/clients';
import { documentClient } from '../helpers/dynamo';
import { startTestProject } from '../helpers/project-sandbox';

const MAX_SECONDS = 30;

describe('sweeper: one failure does not end the sweep, and every page is read', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  /** The connection whose posts the Management API fails (500), while set. */
  let failing: string | undefined;
  let injected = 0;

  beforeAll(async () => {
    project = await startTestProject({
      maxConnectionSeconds: MAX_SECONDS,
      // Every connection older than a second is due its goaway.
      session: { goawayBeforeSeconds: MAX_SECONDS - 1 },
      // The test runs the sweeper itself.
      sweepEveryMs: 3_600_000,
      functionEnv: { sweeper: { SWEEP_PAGE_SIZE: '1' } },
      injectFault: (operation, connectionId) => {
        if (operation !== 'PostToConnection' || connectionId !== failing) return undefined;
        injected += 1;
        return 500;
      },
    });
  });
  afterAll(() => project.sandbox.stop());
  beforeEach(() => project.logs.clear());

  const sweep = async () => {
    const outcome = await project.sandbox.functions.get('sweeper')!.invoke(SWEEPER_INPUT, 29_000);
    expect(outcome).toMatchObject({ status: 'ok' });
    return (outcome as { result: Record<string, unknown> }).result;
  };

  it('sends goaway to every other connection, page by page, when the Management API fails for one (injected 500), and to that one on the next run', async () => {
    const clients: Array<{ client: TestClient; connectionId: string }> = [];
    // 12 connections over 8 shards: some shard holds several, read one page (of 1) at a time.
    for (let i = 0; i < 12; i += 1) {
      const before = new Set(project.sandbox.gateway.connections.keys());
      const client = await connect(project.sandbox.url, { protocols: randomUUID() });
      clients.push({ client, connectionId: [...project.sandbox.gateway.connections.keys()].find((id) => !before.has(id))! });
    }
    // The first the sweep reaches: every other connection comes after it.
    const victim = [...clients].sort((a, b) => everyoneShardOf(a.connectionId) - everyoneShardOf(b.connectionId))[0]!;
    failing = victim.connectionId;
    await sleep(1_100);

    expect(await sweep()).toMatchObject({ goaway: 11, failed: 1, incomplete: false });
    expect(injected).toBeGreaterThan(0); // the SDK retries a 500 before it fails
    for (const { client, connectionId } of clients) {
      if (connectionId !== victim.connectionId) expect(await client.next()).toMatchObject({ type: 'goaway', reason: 'max_duration' });
    }
    expect(project.logs.records('sweeper').find((r) => r.event === 'sweep_failure')).toMatchObject({ reason: 'goaway', id: victim.connectionId, SweepFailures: 1 });

    failing = undefined;
    expect(await sweep()).toMatchObject({ goaway: 1, failed: 0 });
    expect(await victim.client.next()).toMatchObject({ type: 'goaway', reason: 'max_duration' });
    expect(await sweep()).toMatchObject({ goaway: 0, failed: 0 });
    for (const { client } of clients) client.ws.close();
  });

  it('deletes dead connections page by page, counts each out, and repairs a counter that drifted', async () => {
    // No real connection can lose its $disconnect here: write what three would leave behind, counted
    // on a counter that also still counts one the table's TTL deleted.
    const userId = randomUUID();
    const connectedAt = Date.now() - (MAX_SECONDS + 70) * 1000;
    const ttl = Math.floor(Date.now() / 1000) + 3600;
    for (let i = 0; i < 3; i += 1) {
      const connectionId = `dead${randomUUID().slice(0, 10)}=`;
      await documentClient().send(
        new PutCommand({
          TableName: project.tableName,
          Item: {
            ...connectionKey(connectionId),
            ...audienceKeys(connectionId, userId, undefined, connectedAt),
            GSI3SK: `CONNECTION#9${connectedAt}#${connectionId}`, // told goaway already
            type: 'connection',
            connectionId,
            userId,
            authMode: 'anonymous',
            connectedAt,
            goawayAt: Math.floor(connectedAt / 1000) + 1,
            countedIn: 'g1',
            ttl,
          },
        }),
      );
    }
    await documentClient().send(
      new PutCommand({ TableName: project.tableName, Item: { ...connectionCountKey(userId), count: 4, generation: 'g1', ttl, countedAt: connectedAt } }),
    );

    expect(await sweep()).toMatchObject({ dead: 3, repaired: 1, failed: 0 });
    const { Item } = await documentClient().send(new GetCommand({ TableName: project.tableName, Key: connectionCountKey(userId), ConsistentRead: true }));
    expect(Item).toMatchObject({ count: 0, generation: 'g1' });
  });
});
