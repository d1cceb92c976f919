import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { channelPk, connectionKey, logSk } from '../../packages/contract/src/table-keys';
import { sessionKey } from '../../packages/contract/src/table-keys';
import { audienceKeys } from '../../functions/lib/store/connection-store';
import { createPublisher, type Publisher } from '../../packages/publisher/src/index';
import { FANOUT_QUEUE, ROOT, SCHEDULE_GROUP } from '../../sandbox/project';
import { connect, eventually, type TestClient } from '../helpers/clients';
import { allItems, documentClient } from '../helpers/dynamo';
import { startTestProject } from '../helpers/project-sandbox';

type Frame = Record<string, unknown>;

async function frames(client: TestClient, count: number): Promise<Frame[]> {
  const received: Frame[] = [];
  while (received.length < count) received.push((await client.next(10_000)) as Frame);
  return received;
}

async function hello(client: TestClient): Promise<Frame> {
  client.send({ action: 'hello' });
  const welcome = (await client.next()) as Frame;
  expect(welcome).toMatchObject({ type: 'welcome' });
  return welcome;
}

describe('resumable sessions: hello, versioned state, resume with replay', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let sqs: SQSClient;
  let publisher: Publisher;
  const drained = () => project.sandbox.queues.get(FANOUT_QUEUE)!.drained();

  beforeAll(async () => {
    project = await startTestProject({ session: { resumeWindowSeconds: 120 } });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
    publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
  });
  afterAll(async () => {
    sqs.destroy();
    await project.sandbox.stop();
  });

  it('hello creates the session once and answers welcome with its id, resume token, window and heartbeat', async () => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    const welcome = await hello(client);
    expect(welcome).toEqual({
      type: 'welcome',
      sessionId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      resumeToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      resumeWindowSeconds: 120,
      heartbeatSeconds: 60,
      state: null,
      version: 0,
    });
    expect(await hello(client)).toEqual(welcome);
    client.ws.close();
  });

  it('state.set is optimistic: the right version wins, a stale one gets VERSION_CONFLICT with the current state', async () => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    client.send({ action: 'state.get', id: 1 });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'BAD_MESSAGE', id: 1 });
    await hello(client);
    client.send({ action: 'state.set', version: 0, state: { cursor: 3 }, id: 2 });
    expect(await client.next()).toEqual({ type: 'state', id: 2, state: { cursor: 3 }, version: 1 });
    client.send({ action: 'state.set', version: 0, state: { cursor: 99 }, id: 3 });
    expect(await client.next()).toEqual({ type: 'error', code: 'VERSION_CONFLICT', message: 'the state is at version 1, not 0', retryable: false, id: 3, state: { cursor: 3 }, version: 1 });
    for (const [frame, code] of [
      [{ action: 'state.set', state: 1, id: 4 }, 'BAD_MESSAGE'],
      [{ action: 'state.set', version: -1, state: 1, id: 5 }, 'BAD_MESSAGE'],
      [{ action: 'state.set', version: 1, id: 6 }, 'BAD_MESSAGE'],
      [{ action: 'state.set', version: 1, state: 'x'.repeat(20_000), id: 7 }, 'PAYLOAD_TOO_LARGE'],
    ] as const) {
      client.send(frame);
      expect(await client.next()).toMatchObject({ type: 'error', code, id: frame.id });
    }
    client.send({ action: 'state.get', id: 8 });
    expect(await client.next()).toEqual({ type: 'state', id: 8, state: { cursor: 3 }, version: 1 });
    client.ws.close();
  });

  it('a session closed by a disconnect whose socket still lives is no session: no state.set, no state.get, no hello', async () => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    const { sessionId } = (await hello(client)) as { sessionId: string };
    // The item as a disconnect leaves it when its post or DeleteConnection failed (a 429 or 5xx the sandbox cannot cause): closed, the socket open until redelivery.
    await documentClient().send(new UpdateCommand({ TableName: project.tableName, Key: sessionKey(sessionId), UpdateExpression: 'SET #status = :closed, closedReason = :reason', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':closed': 'closed', ':reason': 'SESSION_REVOKED' } }));
    client.send({ action: 'state.set', version: 0, state: { cursor: 1 }, id: 1 });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'BAD_MESSAGE', message: 'no session on this connection: send {"action":"hello"} first', id: 1 });
    client.send({ action: 'state.get', id: 2 });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'BAD_MESSAGE', id: 2 });
    client.send({ action: 'hello', id: 3 });
    client.send({ action: 'state.get', id: 4 });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'BAD_MESSAGE', id: 4 });
    const item = (await documentClient().send(new GetCommand({ TableName: project.tableName, Key: sessionKey(sessionId) }))).Item;
    expect(item).toMatchObject({ status: 'closed', version: 0 });
    expect(item?.state ?? 'null').toBe('null');
    client.ws.close();
  });

  it('concurrent state.set races end with one winner and no lost update', async () => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    await hello(client);
    for (let n = 0; n < 10; n++) client.send({ action: 'state.set', version: 0, state: { writer: n }, id: n });
    const answers = await frames(client, 10);
    const winners = answers.filter((a) => a.type === 'state');
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => a.code === 'VERSION_CONFLICT')).toHaveLength(9);
    for (const loser of answers.filter((a) => a.code === 'VERSION_CONFLICT')) expect(loser).toMatchObject({ state: winners[0]!.state, version: 1 });
    client.send({ action: 'state.get' });
    expect(await client.next()).toEqual({ type: 'state', state: winners[0]!.state, version: 1 });
    client.ws.close();
  });

  it('a dropped client resumes on a new connection: state intact, every missed message replayed in order before live ones', async () => {
    const user = randomUUID();
    const channel = `resume-${randomUUID()}`;
    const first = await connect(project.sandbox.url, { protocols: user });
    const { sessionId, resumeToken } = await hello(first);
    first.send({ action: 'state.set', version: 0, state: { page: 2 } });
    await first.next();
    first.send({ action: 'subscribe', channel });
    await first.next();
    for (let n = 1; n <= 3; n++) await publisher.publish(channel, { n });
    expect((await frames(first, 3)).map((f) => f.seq)).toEqual([1, 2, 3]);
    first.ws.close();
    await eventually(async () => ((await allItems(project.tableName)).some((i) => i.sessionId === sessionId && i.status === 'inactive') ? true : undefined));

    for (let n = 4; n <= 8; n++) await publisher.publish(channel, { n });
    await drained();
    const second = await connect(project.sandbox.url, { protocols: user });
    second.send({ action: 'resume', sessionId, resumeToken, channels: { [channel]: 3 }, id: 'r' });
    const resumed = (await second.next()) as Frame;
    expect(resumed).toMatchObject({ type: 'resumed', id: 'r', sessionId, state: { page: 2 }, version: 1, resumeToken });
    const replayed = await frames(second, 5);
    expect(replayed.map((f) => [f.channel, f.seq, (f.data as { n: number }).n])).toEqual([4, 5, 6, 7, 8].map((n) => [channel, n, n]));
    await publisher.publish(channel, { n: 9 });
    expect(await second.next(10_000)).toMatchObject({ channel, seq: 9 });
    // The session is linked to the new connection: a later drop leaves it resumable again.
    expect((await allItems(project.tableName)).find((i) => i.sessionId === sessionId && i.type === 'session')).toMatchObject({ status: 'active' });
    second.ws.close();
  });

  it('when the log no longer reaches back, the replay starts with RESUME_GAP naming what was lost', async () => {
    const user = randomUUID();
    const channel = `gap-${randomUUID()}`;
    const first = await connect(project.sandbox.url, { protocols: user });
    const { sessionId, resumeToken } = await hello(first);
    first.ws.close();
    for (let n = 1; n <= 6; n++) await publisher.publish(channel, { n });
    await drained();
    // Retention cannot be waited out here (an hour at least): delete what TTL would have deleted.
    for (const seq of [1, 2, 3]) await documentClient().send(new DeleteCommand({ TableName: project.tableName, Key: { PK: channelPk(channel), SK: logSk(seq) } }));
    const second = await connect(project.sandbox.url, { protocols: user });
    second.send({ action: 'resume', sessionId, resumeToken, channels: { [channel]: 0 } });
    expect(await second.next()).toMatchObject({ type: 'resumed', sessionId });
    const [gap, ...rest] = await frames(second, 4);
    expect(gap).toMatchObject({ type: 'error', code: 'RESUME_GAP', channel, lost: { from: 1, to: 3 } });
    expect(rest.map((f) => f.seq)).toEqual([4, 5, 6]);
    second.ws.close();
  });

  it('refuses forged, wrong and foreign resumes, and bad channel maps, changing nothing', async () => {
    const owner = randomUUID();
    const channel = `bad-${randomUUID()}`;
    await publisher.publish(channel, 'one');
    await drained();
    const first = await connect(project.sandbox.url, { protocols: owner });
    const { sessionId, resumeToken } = await hello(first);
    first.ws.close();
    await eventually(async () => ((await allItems(project.tableName)).some((i) => i.sessionId === sessionId && i.status === 'inactive') ? true : undefined));

    const stranger = await connect(project.sandbox.url, { protocols: randomUUID() });
    const cases: Array<[Frame, Frame]> = [
      [{ sessionId, resumeToken }, { code: 'AUTH_INVALID' }], // someone else's session, its real token
      [{ sessionId, resumeToken: 'A'.repeat(43) }, { code: 'AUTH_INVALID' }],
      [{ sessionId }, { code: 'AUTH_INVALID' }],
      [{ sessionId: 'x'.repeat(22), resumeToken }, { code: 'AUTH_INVALID' }],
      [{ sessionId: 'short', resumeToken }, { code: 'BAD_MESSAGE' }],
    ];
    for (const [fields, expected] of cases) {
      stranger.send({ action: 'resume', ...fields, id: 's' });
      expect(await stranger.next()).toMatchObject({ type: 'error', id: 's', ...expected });
    }
    // A stolen anonymous id connects as its user, but takes nothing of the session without the token.
    const thief = await connect(project.sandbox.url, { protocols: owner });
    for (const fields of [{ sessionId }, { sessionId, resumeToken: (resumeToken as string).replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A')) }]) {
      thief.send({ action: 'resume', ...fields, id: 't' });
      expect(await thief.next()).toMatchObject({ type: 'error', code: 'AUTH_INVALID', id: 't' });
    }
    thief.send({ action: 'state.get', id: 'g' });
    expect(await thief.next()).toMatchObject({ type: 'error', code: 'BAD_MESSAGE', id: 'g' });
    thief.ws.close();
    const again = await connect(project.sandbox.url, { protocols: owner });
    for (const [channels, code] of [
      [[1, 2], 'BAD_MESSAGE'],
      [{ [channel]: -1 }, 'BAD_MESSAGE'],
      [{ [channel]: 'x' }, 'BAD_MESSAGE'],
      [{ 'no spaces please': 1 }, 'BAD_MESSAGE'],
      [{ 'user:someone-else': 1 }, 'FORBIDDEN'],
      [{ [channel]: 5 }, 'BAD_MESSAGE'], // beyond the head (1)
    ] as const) {
      again.send({ action: 'resume', sessionId, resumeToken, channels, id: 'b' });
      expect(await again.next()).toMatchObject({ type: 'error', id: 'b', code });
    }
    // Nothing changed: the session is still inactive and resumable by its owner.
    expect((await allItems(project.tableName)).find((i) => i.sessionId === sessionId && i.type === 'session')).toMatchObject({ status: 'inactive' });
    again.send({ action: 'resume', sessionId, resumeToken, channels: { [channel]: 0 } });
    expect(await again.next()).toMatchObject({ type: 'resumed', sessionId });
    expect(await again.next(10_000)).toMatchObject({ channel, seq: 1, data: 'one' });
    for (const client of [stranger, again]) client.ws.close();
  });
});

describe('past the resume window', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;

  beforeAll(async () => {
    project = await startTestProject({ session: { resumeWindowSeconds: 1 } });
  });
  afterAll(() => project.sandbox.stop());

  it('answers RESUME_GAP and a fresh session every time, never silence', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const user = randomUUID();
        const first = await connect(project.sandbox.url, { protocols: user });
        const { sessionId, resumeToken } = await hello(first);
        first.send({ action: 'state.set', version: 0, state: 'old' });
        await first.next();
        first.ws.close();
        await eventually(async () => ((await allItems(project.tableName)).some((i) => i.sessionId === sessionId && i.status === 'inactive') ? true : undefined));
        await new Promise((resolve) => setTimeout(resolve, 2_100));
        const second = await connect(project.sandbox.url, { protocols: user });
        second.send({ action: 'resume', sessionId, resumeToken, id: 1 });
        const answers = [await second.next(), await second.next()] as Frame[];
        second.ws.close();
        return { sessionId, answers };
      }),
    );
    for (const { sessionId, answers } of attempts) {
      expect(answers[0]).toMatchObject({ type: 'error', code: 'RESUME_GAP', id: 1 });
      expect(answers[1]).toMatchObject({ type: 'welcome', state: null, version: 0 });
      expect(answers[1]!.sessionId).not.toBe(sessionId);
    }
    // Each counts one ResumeGaps by reason (and in the total, which the resume_gaps alarm watches).
    // The log lines cross from the function's worker thread on their own time: wait for them.
    const gaps = await eventually(() => {
      const lines = project.logs.records('message').filter((r) => r.event === 'resume_gap');
      return lines.length >= attempts.length ? lines : undefined;
    }, 10_000, 'a resume_gap log line per attempt');
    expect(gaps.length).toBeGreaterThanOrEqual(attempts.length);
    for (const r of gaps) expect([r.ResumeGaps, r.Reason, (r._aws as { CloudWatchMetrics: Array<{ Dimensions: unknown }> }).CloudWatchMetrics[0]!.Dimensions]).toEqual([1, 'session_expired', [['Reason'], []]]);
  }, 30_000);
});

describe('the 2-hour cut (shortened to 10 s)', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;

  beforeAll(async () => {
    project = await startTestProject({ maxConnectionSeconds: 10, session: { goawayBeforeSeconds: 5 }, sweepEveryMs: 200 });
  });
  afterAll(() => project.sandbox.stop());

  it('sends goaway before the cut; the client reconnects, resumes and misses nothing', async () => {
    const user = randomUUID();
    const channel = `cut-${randomUUID()}`;
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
    const publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
    const first = await connect(project.sandbox.url, { protocols: user });
    const { sessionId, resumeToken } = await hello(first);
    const connectedAt = Number((await allItems(project.tableName)).find((i) => i.type === 'connection' && i.userId === user)!.connectedAt);
    first.send({ action: 'subscribe', channel });
    await first.next();
    await publisher.publish(channel, 1);
    expect(await first.next(10_000)).toMatchObject({ seq: 1 });
    const goaway = (await first.next(10_000)) as Frame;
    expect(goaway).toEqual({ type: 'goaway', reason: 'max_duration', closeAt: expect.any(Number) });
    expect(goaway.closeAt).toBe(connectedAt + 10_000);
    expect(Date.now()).toBeLessThan(connectedAt + 10_000);
    // Only one goaway per connection, however often the sweeper runs.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await publisher.publish(channel, 2);
    expect(await first.next(10_000)).toMatchObject({ seq: 2 });

    const second = await connect(project.sandbox.url, { protocols: user });
    second.send({ action: 'resume', sessionId, resumeToken, channels: { [channel]: 2 } });
    expect(await second.next()).toMatchObject({ type: 'resumed', sessionId });
    expect((await first.closed).code).toBe(1001);
    await publisher.publish(channel, 3);
    // The new connection nears its own (10 s) cut too: its goaway may come first.
    let next = (await second.next(10_000)) as Frame;
    if (next.type === 'goaway') next = (await second.next(10_000)) as Frame;
    expect(next).toMatchObject({ seq: 3, data: 3 });
    second.ws.close();
    sqs.destroy();
  }, 30_000);
  it('a connection past the cut whose $disconnect never came is deleted and its session made resumable', async () => {
    // No real connection can lose its $disconnect here: write what one would leave behind.
    const connectionId = `ghost${randomUUID().slice(0, 10)}=`;
    const sessionId = randomUUID().replace(/-/g, '').slice(0, 22);
    const connectedAt = Date.now() - 100_000;
    const ttl = Math.floor(Date.now() / 1000) + 3600;
    await documentClient().send(
      new PutCommand({
        TableName: project.tableName,
        Item: {
          ...connectionKey(connectionId),
          ...audienceKeys(connectionId, 'ghost-user', undefined, connectedAt),
          GSI3SK: `CONNECTION#9${connectedAt}#${connectionId}`, // told goaway already
          type: 'connection',
          connectionId,
          userId: 'ghost-user',
          authMode: 'anonymous',
          connectedAt,
          goawayAt: Math.floor(connectedAt / 1000) + 5,
          wsSession: sessionId,
          ttl,
        },
      }),
    );
    await documentClient().send(
      new PutCommand({
        TableName: project.tableName,
        Item: { ...sessionKey(sessionId), GSI1PK: 'USER#ghost-user', GSI1SK: `SESSION#${sessionId}`, type: 'session', sessionId, userId: 'ghost-user', connectionId, status: 'active', version: 0, ttl },
      }),
    );
    await eventually(async () => ((await allItems(project.tableName)).some((i) => i.connectionId === connectionId && i.type === 'connection') ? undefined : true), 10_000, 'the dead connection deleted');
    const session = (await allItems(project.tableName)).find((i) => i.type === 'session' && i.sessionId === sessionId);
    expect(session).toMatchObject({ status: 'inactive' });
    expect(session!.connectionId).toBeUndefined();
  });
});

describe('punctual expiry (one-time schedules, a 2 s window)', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  const sessionItem = async (sessionId: string) => (await allItems(project.tableName)).find((i) => i.type === 'session' && i.sessionId === sessionId);
  const inactive = (sessionId: string) => eventually(async () => ((await sessionItem(sessionId))?.status === 'inactive' ? true : undefined));

  beforeAll(async () => {
    project = await startTestProject({ session: { resumeWindowSeconds: 2 } });
  });
  afterAll(() => project.sandbox.stop());

  it('purges a session that was not resumed within a second of its schedule, and deletes the schedule', async () => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    const sessionId = (await hello(client)).sessionId as string;
    client.ws.close();
    await inactive(sessionId);
    const name = `expire-${sessionId}`;
    // The schedule is created right after the session goes inactive.
    const schedule = await eventually(() => project.sandbox.scheduler.schedule(name, SCHEDULE_GROUP));
    expect(schedule).toMatchObject({ state: 'scheduled', actionAfterCompletion: 'DELETE', input: JSON.stringify({ task: 'expire', sessionId }) });
    const due = schedule.nextFireAt!;
    const lastSeen = Number((await sessionItem(sessionId))!.lastSeen);
    expect(due - (lastSeen + 2_000)).toBeGreaterThanOrEqual(0);
    expect(due - (lastSeen + 2_000)).toBeLessThan(1_000); // whole seconds, rounded up
    await eventually(async () => ((await sessionItem(sessionId)) === undefined ? true : undefined), 10_000, 'the session purged');
    const firing = project.sandbox.scheduler.firings().find((f) => f.name === name)!;
    expect(firing.firedAt - due).toBeLessThan(1_000);
    expect(Date.now() - due).toBeLessThan(2_000);
    expect(project.sandbox.scheduler.schedule(name, SCHEDULE_GROUP)).toBeUndefined();
  });

  it('a resumed session keeps living: its schedule is deleted and nothing purges it', async () => {
    const user = randomUUID();
    const first = await connect(project.sandbox.url, { protocols: user });
    const welcome = await hello(first);
    const sessionId = welcome.sessionId as string;
    const resumeToken = welcome.resumeToken as string;
    first.ws.close();
    await inactive(sessionId);
    const name = `expire-${sessionId}`;
    await eventually(() => project.sandbox.scheduler.schedule(name, SCHEDULE_GROUP));
    const second = await connect(project.sandbox.url, { protocols: user });
    second.send({ action: 'resume', sessionId, resumeToken });
    expect(await second.next()).toMatchObject({ type: 'resumed', sessionId });
    expect(project.sandbox.scheduler.schedule(name, SCHEDULE_GROUP)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await sessionItem(sessionId)).toMatchObject({ status: 'active' });
    expect(project.sandbox.scheduler.firings().filter((f) => f.name === name)).toEqual([]);
    second.ws.close();
  });
});

describe('session.resume = "id" (the AWS sample\'s weaker way)', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;

  beforeAll(async () => {
    project = await startTestProject({ session: { resume: 'id' } });
  });
  afterAll(() => project.sandbox.stop());

  it('resumes with the anonymous id alone, and still refuses another user', async () => {
    const user = randomUUID();
    const first = await connect(project.sandbox.url, { protocols: user });
    const { sessionId } = await hello(first);
    first.send({ action: 'state.set', version: 0, state: { cursor: 7 } });
    await first.next();
    first.ws.close();
    const other = await connect(project.sandbox.url, { protocols: randomUUID() });
    other.send({ action: 'resume', sessionId });
    expect(await other.next()).toMatchObject({ type: 'error', code: 'AUTH_INVALID' });
    const same = await connect(project.sandbox.url, { protocols: user });
    same.send({ action: 'resume', sessionId });
    expect(await same.next()).toMatchObject({ type: 'resumed', sessionId, state: { cursor: 7 } });
    for (const client of [other, same]) client.ws.close();
  });
});

describe('a connection found gone before its $disconnect (a 5 s window)', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let sqs: SQSClient;

  beforeAll(async () => {
    // The fixture stands in for $disconnect and does nothing: the 410 on the next post is all the stack learns.
    project = await startTestProject({
      session: { resumeWindowSeconds: 5 },
      sweepEveryMs: 200,
      functionSource: { disconnect: { file: path.join(ROOT, 'test/fixtures/handlers/disconnect.js') } },
    });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
  });
  afterAll(async () => {
    sqs.destroy();
    await project.sandbox.stop();
  });

  it('the fan-out detaches its session on the 410: inactive with lastSeen, resumed with every missed message, or purged after the window', async () => {
    const publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
    const channel = `gone-${randomUUID()}`;
    const users = [randomUUID(), randomUUID()];
    const clients = await Promise.all(users.map((user) => connect(project.sandbox.url, { protocols: user })));
    const welcomes = [];
    for (const client of clients) {
      welcomes.push(await hello(client));
      client.send({ action: 'subscribe', channel });
      expect(await client.next()).toMatchObject({ type: 'ack', action: 'subscribe' });
    }
    await publisher.publish(channel, { n: 1 });
    for (const client of clients) expect(await client.next(10_000)).toMatchObject({ channel, seq: 1 });
    const closedAt = Date.now();
    await Promise.all(clients.map((client) => (client.ws.close(), client.closed)));
    await project.logs.waitForFixture('disconnect', 2);

    for (let n = 2; n <= 3; n++) await publisher.publish(channel, { n });
    await project.sandbox.queues.get(FANOUT_QUEUE)!.drained();
    const items = await allItems(project.tableName);
    const [kept, left] = welcomes.map(({ sessionId }) => items.find((i) => i.type === 'session' && i.sessionId === sessionId)!);
    for (const [index, session] of [kept!, left!].entries()) {
      expect(items.filter((i) => i.type === 'connection' && i.userId === users[index])).toEqual([]);
      expect(session).toMatchObject({ status: 'inactive' });
      expect(session.connectionId).toBeUndefined();
      expect(Number(session.lastSeen)).toBeGreaterThanOrEqual(closedAt);
      expect(Number(session.ttl)).toBe(Math.ceil(Number(session.lastSeen) / 1000) + 5);
    }

    const again = await connect(project.sandbox.url, { protocols: users[0] });
    again.send({ action: 'resume', sessionId: kept!.sessionId, resumeToken: welcomes[0]!.resumeToken, channels: { [channel]: 1 } });
    expect(await again.next()).toMatchObject({ type: 'resumed', sessionId: kept!.sessionId });
    expect((await frames(again, 2)).map((f) => [f.seq, (f.data as { n: number }).n])).toEqual([
      [2, 2],
      [3, 3],
    ]);
    // The other one was not resumed: the sweeper purges it once its window is over.
    await eventually(async () => ((await allItems(project.tableName)).some((i) => i.type === 'session' && i.sessionId === left!.sessionId) ? undefined : true), 15_000, 'the unresumed session purged');
    expect((await allItems(project.tableName)).find((i) => i.type === 'session' && i.sessionId === kept!.sessionId)).toMatchObject({ status: 'active' });
    again.ws.close();
  }, 30_000);
});
