import { randomUUID } from 'node:crypto';
import { connect, eventually, handshakeStatus } from '../helpers/clients';
import { allItems } from '../helpers/dynamo';
import { startTestProject } from '../helpers/project-sandbox';

describe('per-user connection cap and per-connection message budget', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;

  beforeAll(async () => {
    project = await startTestProject({
      functionEnv: {
        connect: { MAX_CONNECTIONS_PER_USER: '2' },
        message: { MESSAGE_RATE_LIMIT: '3', MESSAGE_RATE_WINDOW_SECONDS: '3600' },
      },
    });
  });
  afterAll(() => project.sandbox.stop());
  beforeEach(() => project.logs.clear());

  it('refuses a third connection of the same user with 403, writes nothing, and lets it in once one closes', async () => {
    const userId = randomUUID();
    const first = await connect(project.sandbox.url, { protocols: userId });
    const second = await connect(project.sandbox.url, { protocols: userId });
    expect(await handshakeStatus(project.sandbox.url, { protocols: userId })).toBe(403);
    expect(await eventually(() => project.logs.records('connect').find((r) => r.event === 'reject'))).toMatchObject({ reason: 'connection_cap', Rejects: 1 });
    expect((await allItems(project.tableName)).filter((item) => item.userId === userId)).toHaveLength(2);

    expect(await handshakeStatus(project.sandbox.url, { protocols: randomUUID() })).toBe(101);
    first.ws.close();
    await eventually(async () => ((await allItems(project.tableName)).filter((i) => i.userId === userId).length === 1 ? true : undefined));
    const third = await connect(project.sandbox.url, { protocols: userId });
    third.ws.close();
    second.ws.close();
  });

  it('answers messages over the budget with RATE_LIMITED and closes the connection at twice the budget', async () => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    for (let i = 1; i <= 3; i += 1) {
      client.send({ action: 'ping', id: i });
      expect(await client.next()).toMatchObject({ type: 'pong', id: i });
    }
    for (let i = 4; i <= 6; i += 1) {
      client.send({ action: 'ping', id: i });
      expect(await client.next()).toEqual({ type: 'error', code: 'RATE_LIMITED', message: 'more than 3 messages in 3600 s', retryable: true });
    }
    client.send({ action: 'ping', id: 7 });
    expect(await client.next()).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await client.closed).code).toBe(1000);
    expect(await project.logs.waitForRecords('message', (r) => r.event === 'rate_limited', 4)).toHaveLength(4);
  });
});
