import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createChannelActions } from '../../functions/lib/channels/channel-actions';
import { createChannelStore } from '../../functions/lib/channels/channel-store';
import { fingerprint } from '../../functions/lib/log';
import { QueueUnavailableError } from '../../functions/lib/errors';
import { HEAD, channelPk, logSk } from '../../packages/contract/src/table-keys';
import type { ServerFrame } from '../../packages/contract/src/frames';
import { internalError, route } from '../../functions/lib/protocol/router';
import { createSessionActions } from '../../functions/lib/sessions/session-actions';
import { createSessionStore } from '../../functions/lib/sessions/session-store';
import { createPublisher, type Publisher } from '../../packages/publisher/src/index';
import { FANOUT_DLQ, FANOUT_QUEUE } from '../../sandbox/project';
import { connect, eventually, type TestClient } from '../helpers/clients';
import { allItems, documentClient } from '../helpers/dynamo';
import { startTestProject } from '../helpers/project-sandbox';

type Frame = Record<string, unknown>;

const SESSION_KEY = 'replay-test-key-0123456789abcdef0123456789';
const REPLAY_MAX_MESSAGES = 20;

async function frames(client: TestClient, count: number): Promise<Frame[]> {
  const received: Frame[] = [];
  while (received.length < count) received.push((await client.next(10_000)) as Frame);
  return received;
}

async function quiet(client: TestClient, ms = 300): Promise<void> {
  await expect(client.next(ms)).rejects.toThrow(/no frame/);
}

/** ~30 KB messages whose JSON in a queue record is far larger in bytes than in characters. */
const HEAVY = ['"'.repeat(15_000), `${'é'.repeat(7_000)}${'😀'.repeat(4_000)}`, '\\'.repeat(15_000)];

describe('replays: records sized in UTF-8 bytes, a bounded amount per request, answered once durable', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let sqs: SQSClient;
  let publisher: Publisher;
  const drained = () => project.sandbox.queues.get(FANOUT_QUEUE)!.drained(30_000);
  const fanoutErrors = () => project.logs.records('fanout').filter((r) => r.event === 'fanout_error');
  const deadLetters = () => project.sandbox.queues.get(FANOUT_DLQ)!.messages().map((m) => JSON.parse(m.body) as Frame);

  /** A user's session with no connection left, and a new connection of the user. */
  async function droppedSession(): Promise<{ user: string; sessionId: string; resumeToken: string }> {
    const user = randomUUID();
    const first = await connect(project.sandbox.url, { protocols: user });
    first.send({ action: 'hello' });
    const { sessionId, resumeToken } = (await first.next()) as { sessionId: string; resumeToken: string };
    first.ws.close();
    await eventually(async () => ((await allItems(project.tableName)).some((i) => i.sessionId === sessionId && i.status === 'inactive') ? true : undefined));
    return { user, sessionId, resumeToken };
  }

  beforeAll(async () => {
    project = await startTestProject({
      session: { resumeWindowSeconds: 120 },
      functionEnv: { message: { SESSION_KEY, REPLAY_MAX_MESSAGES: String(REPLAY_MAX_MESSAGES) } },
    });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
    publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
  });
  afterAll(async () => {
    sqs.destroy();
    await project.sandbox.stop();
  });

  it('a resume over a log of quote-heavy and non-ASCII messages gets every one, and the channel is never held up', async () => {
    const channel = `heavy-${randomUUID()}`;
    const { user, sessionId, resumeToken } = await droppedSession();
    const published = Array.from({ length: 12 }, (_, n) => HEAVY[n % HEAVY.length]!);
    for (const data of published) await publisher.publish(channel, data);
    await drained();

    const second = await connect(project.sandbox.url, { protocols: user });
    second.send({ action: 'resume', sessionId, resumeToken, channels: { [channel]: 0 }, id: 'r' });
    expect(await second.next(10_000)).toMatchObject({ type: 'resumed', id: 'r', sessionId });
    const replayed = await frames(second, 12);
    expect(replayed.map((f) => f.seq)).toEqual([...Array(12).keys()].map((n) => n + 1));
    expect(replayed.map((f) => f.data)).toEqual(published);
    // The same log to a fresh subscriber, with `since`.
    const reader = await connect(project.sandbox.url, { protocols: randomUUID() });
    reader.send({ action: 'subscribe', channel, since: 0, id: 's' });
    const read = await frames(reader, 13);
    expect(read[0]).toEqual({ type: 'ack', action: 'subscribe', id: 's', channel, seq: 12 });
    expect(read.slice(1).map((f) => f.data)).toEqual(published);

    await publisher.publish(channel, 'next');
    for (const client of [second, reader]) expect(await client.next(10_000)).toMatchObject({ channel, seq: 13, data: 'next' });
    await drained();
    // Never held up: no record of the channel failed, so none waited for a redelivery.
    expect(fanoutErrors()).toEqual([]);
    expect(deadLetters()).toEqual([]);
    for (const client of [second, reader]) client.ws.close();
  }, 60_000);

  it('a message too large for any record goes to the dead-letter queue; the client gets a RESUME_GAP for it and everything else', async () => {
    const channel = `oversized-${randomUUID()}`;
    await publisher.publish(channel, 'one');
    await publisher.publish(channel, 'two');
    await drained();
    // A log entry no record can carry (written under a larger payload limit than the stage has now).
    const huge = JSON.stringify('"'.repeat(140_000));
    await documentClient().send(
      new PutCommand({
        TableName: project.tableName,
        Item: { PK: channelPk(channel), SK: logSk(3), type: 'channel_log', seq: 3, messageId: 'huge', payload: huge, publishedAt: Date.now(), ttl: Math.floor(Date.now() / 1000) + 3600 },
      }),
    );
    await documentClient().send(new UpdateCommand({ TableName: project.tableName, Key: { PK: channelPk(channel), SK: HEAD }, UpdateExpression: 'SET seq = :three', ExpressionAttributeValues: { ':three': 3 } }));
    await publisher.publish(channel, 'four');
    await drained();

    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    client.send({ action: 'subscribe', channel, since: 0 });
    const got = await frames(client, 5);
    expect(got[0]).toMatchObject({ type: 'ack', channel, seq: 4 });
    expect(got.slice(1).map((f) => (f.type === 'message' ? f.data : [f.code, f.lost]))).toEqual(['one', 'two', ['RESUME_GAP', { from: 3, to: 3 }], 'four']);
    await publisher.publish(channel, 'five');
    expect(await client.next(10_000)).toMatchObject({ seq: 5, data: 'five' });
    await drained();
    expect(fanoutErrors()).toEqual([]);
    expect(deadLetters()).toEqual([expect.objectContaining({ kind: 'dead_letter', reason: 'record_too_large', seq: 3 })]);
    client.ws.close();
  }, 60_000);

  it(`one request replays at most REPLAY_MAX_MESSAGES (${REPLAY_MAX_MESSAGES} here) over all its channels; a RESUME_GAP names the rest`, async () => {
    const [long, short] = [`long-${randomUUID()}`, `short-${randomUUID()}`];
    await Promise.all(Array.from({ length: 30 }, (_, n) => publisher.publish(long, n + 1)));
    await Promise.all(Array.from({ length: 30 }, (_, n) => publisher.publish(short, n + 1)));
    await drained();

    const reader = await connect(project.sandbox.url, { protocols: randomUUID() });
    reader.send({ action: 'subscribe', channel: long, since: 0, id: 1 });
    const read = await frames(reader, 22);
    expect(read[0]).toEqual({ type: 'ack', action: 'subscribe', id: 1, channel: long, seq: 30 });
    expect(read.slice(1, 21).map((f) => f.seq)).toEqual([...Array(20).keys()].map((n) => n + 1));
    expect(read[21]).toMatchObject({ type: 'error', code: 'RESUME_GAP', id: 1, channel: long, lost: { from: 21, to: 30 } });
    await publisher.publish(long, 31);
    expect(await reader.next(10_000)).toMatchObject({ channel: long, seq: 31 });

    // A resume shares the budget: the short channel needs 5, the long one gets the other 15.
    const { user, sessionId, resumeToken } = await droppedSession();
    const client = await connect(project.sandbox.url, { protocols: user });
    client.send({ action: 'resume', sessionId, resumeToken, channels: { [long]: 0, [short]: 25 } });
    expect(await client.next(10_000)).toMatchObject({ type: 'resumed' });
    const got = await frames(client, 21);
    const of = (channel: string) => got.filter((f) => f.channel === channel).map((f) => (f.type === 'message' ? f.seq : f.lost));
    expect(of(long)).toEqual([...[...Array(15).keys()].map((n) => n + 1), { from: 16, to: 31 }]);
    expect(of(short)).toEqual([26, 27, 28, 29, 30]);
    await drained();
    await quiet(client);
    for (const c of [reader, client]) c.ws.close();

    // The metrics: each cut replay counts one ResumeGaps on its join's line (the short channel's
    // none), the resume one Resumes, its hello one SessionsStarted; every fanout invocation its lag.
    const joins = project.logs.records('fanout').filter((r) => r.event === 'join' && (r.channel === fingerprint(long) || r.channel === fingerprint(short)));
    expect(joins.map((r) => [r.channel === fingerprint(long) ? 'long' : 'short', r.gaps, r.ResumeGaps]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['long', 1, 1],
      ['long', 1, 1],
      ['short', 0, undefined],
    ]);
    const resumes = project.logs.records('message').filter((r) => r.event === 'resume' && r.channels === 2);
    expect(resumes.map((r) => r.Resumes)).toEqual([1]);
    expect(project.logs.records('message').filter((r) => r.event === 'session_start').every((r) => r.SessionsStarted === 1)).toBe(true);
    const lags = project.logs.records('fanout').filter((r) => r.event === 'fanout_batch');
    expect(lags.length).toBeGreaterThan(0);
    for (const r of lags) expect([typeof r.FanoutLag, r.FanoutLag === r.lagMs, (r.FanoutLag as number) >= 0]).toEqual(['number', true, true]);
  }, 60_000);

  it('subscribing to an implicit channel with since replays it after the ack', async () => {
    const user = randomUUID();
    const client = await connect(project.sandbox.url, { protocols: user });
    for (let n = 1; n <= 3; n++) await publisher.sendToUser(user, n);
    const live = await frames(client, 3);
    expect(live.map((f) => f.seq)).toEqual([1, 2, 3]);
    client.send({ action: 'subscribe', channel: `user:${user}`, since: 1, id: 'u' });
    expect(await frames(client, 3)).toEqual([
      { type: 'ack', action: 'subscribe', id: 'u', channel: `user:${user}`, seq: 3 },
      expect.objectContaining({ seq: 2, data: 2 }),
      expect.objectContaining({ seq: 3, data: 3 }),
    ]);
    client.ws.close();
  });

  it('a resume or subscribe whose record SQS cannot take (SQS unreachable) answers a retryable error and leaves nothing half-done; sent again, it resumes', async () => {
    const channel = `durable-${randomUUID()}`;
    const { user, sessionId, resumeToken } = await droppedSession();
    await publisher.publish(channel, 'missed');
    await drained();
    const client = await connect(project.sandbox.url, { protocols: user });
    const connectionId = (await allItems(project.tableName)).find((i) => i.type === 'connection' && i.userId === user)!.connectionId as string;

    // The message function's resume action, on the real table, with an SQS endpoint nobody listens on.
    const unreachable = new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' }, maxAttempts: 1 });
    const documents = documentClient();
    const channels = createChannelStore({ client: documents, tableName: project.tableName, retentionSeconds: 3600, markerTtlSeconds: 3600 });
    const queueUrl = project.sandbox.queues.get(FANOUT_QUEUE)!.url;
    const identity = { userId: user, authMode: 'anonymous' as const };
    const actions = createSessionActions({
      sessions: createSessionStore({ client: documents, tableName: project.tableName }),
      channels,
      sqs: unreachable,
      queueUrl,
      key: async () => Buffer.from(SESSION_KEY),
      settings: { resumeWindowSeconds: 120, heartbeatSeconds: 60, resume: 'token', maxStateBytes: 16_384, maxSubscriptions: 50, connectionTtlSeconds: 7800, replayLimit: 1000 },
    });
    const posted: ServerFrame[] = [];
    // Through the router, as the message function runs it: the action's error becomes INTERNAL.
    const answer = await route(
      JSON.stringify({ action: 'resume', sessionId, resumeToken, channels: { [channel]: 0 }, id: 'r1' }),
      { connectionId, identity, now: Date.now(), requestId: 'req-r1', post: async (frame) => void posted.push(frame) },
      actions,
    );
    expect(answer.frames).toEqual([internalError({ id: 'r1', requestId: 'req-r1' })]);
    expect(answer.error).toBeInstanceOf(QueueUnavailableError);
    expect(posted).toEqual([]);
    // A subscribe likewise: a retryable error, and the subscription it wrote is gone again.
    const channelActions = createChannelActions({ channels, sqs: unreachable, queueUrl, settings: { maxPayloadBytes: 32_768, maxSubscriptions: 50, connectionTtlSeconds: 7800, replayLimit: 1000 } });
    const subscribed = await route(JSON.stringify({ action: 'subscribe', channel, id: 's1' }), { connectionId, identity, now: Date.now(), requestId: 'req-s1' }, channelActions);
    expect(subscribed.frames).toEqual([internalError({ id: 's1', requestId: 'req-s1' })]);
    expect(subscribed.error).toBeInstanceOf(QueueUnavailableError);
    expect((await allItems(project.tableName)).filter((i) => i.type === 'subscription' && i.connectionId === connectionId)).toEqual([]);
    unreachable.destroy();
    await drained();
    await quiet(client);

    // Nothing half-done: the same resume, sent again through the gateway, answers and replays.
    client.send({ action: 'resume', sessionId, resumeToken, channels: { [channel]: 0 }, id: 'r2' });
    expect(await client.next(10_000)).toMatchObject({ type: 'resumed', id: 'r2', sessionId });
    expect(await client.next(10_000)).toMatchObject({ channel, seq: 1, data: 'missed' });
    expect((await allItems(project.tableName)).find((i) => i.type === 'session' && i.sessionId === sessionId)).toMatchObject({ status: 'active', connectionId });
    client.ws.close();
  }, 60_000);
});
