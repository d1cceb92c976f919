import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createPublisher, type Publisher } from '../../packages/publisher/src';
import { DIST, FANOUT_DLQ, FANOUT_QUEUE, ROOT } from '../../sandbox/project';
import type { DynamoCall } from '../../sandbox/dynamo-faults';
import { extractZip } from '../../sandbox/unzip';
import { createChannelStore } from '../../functions/lib/channels/channel-store';
import { CHAIN_BUDGET, ROUNDS_PER_INVOCATION } from '../../functions/lib/delivery/plan';
import { hashOf } from '../../packages/contract/src/table-keys';
import { connect, framesSent, type TestClient } from '../helpers/clients';
import { allItems, createTestTable, documentClient } from '../helpers/dynamo';
import { seededChance, seededPostFaults, staleSubscribers } from '../helpers/post-faults';
import { startTestProject } from '../helpers/project-sandbox';

type Frame = { type: string; id: string; seq: number; channel: string; data: unknown };
type Project = Awaited<ReturnType<typeof startTestProject>>;

const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

/** `count` anonymous clients subscribed to `channel`, each acked, with their connection ids. */
async function subscribers(project: Project, channel: string, count: number): Promise<Array<{ client: TestClient; connectionId: string }>> {
  const users = Array.from({ length: count }, () => randomUUID());
  const clients = await Promise.all(users.map((user) => connect(project.sandbox.url, { protocols: user })));
  for (const client of clients) {
    client.send({ action: 'subscribe', channel });
    expect(await client.next(10_000)).toMatchObject({ type: 'ack', action: 'subscribe' });
  }
  // An anonymous connection's item names its user: that maps each client to its connection id.
  const connectionOf = new Map((await allItems(project.tableName)).filter((i) => i.type === 'connection').map((i) => [i.userId as string, i.connectionId as string]));
  return clients.map((client, n) => ({ client, connectionId: connectionOf.get(users[n]!)! }));
}

const received = (client: TestClient): Promise<Frame[]> => framesSent<Frame>(client);

/** The audience reads (Query on a channel's subscriptions) and appends (transactions on its head) DynamoDB served. */
const readsOf = (calls: DynamoCall[], channel: string) =>
  calls.filter((call) => call.operation === 'Query' && JSON.stringify(call.input).includes(`"CHANNEL#${channel}"`) && JSON.stringify(call.input).includes('"CONNECTION#"')).length;
const appendsOf = (calls: DynamoCall[], channel: string) =>
  calls.filter((call) => call.operation === 'TransactWriteItems' && JSON.stringify(call.input).includes(`{"PK":{"S":"CHANNEL#${channel}"},"SK":{"S":"HEAD"}}`)).length;

describe('a channel\'s publishes of one batch are planned together', () => {
  let project: Project;
  let sqs: SQSClient;
  let publisher: Publisher;
  const calls: DynamoCall[] = [];
  /** DynamoDB calls and posts, in the order the sandbox saw them. */
  const timeline: Array<DynamoCall | 'post'> = [];
  /** A connection whose posts answer 429 while set. */
  let throttled: string | undefined;
  let throttleLedgerReads = false;

  beforeAll(async () => {
    project = await startTestProject({
      functionEnv: { fanout: { FANOUT_CHUNK_SIZE: '3' } },
      injectDynamoFault: (call) => {
        calls.push(call);
        timeline.push(call);
        return throttleLedgerReads && call.operation === 'BatchGetItem' && JSON.stringify(call.input).includes('"DELIVERY#') ? 'ThrottlingException' : undefined;
      },
      injectFault: (operation, connectionId) => {
        if (operation !== 'PostToConnection') return undefined;
        timeline.push('post');
        return connectionId === throttled ? 429 : undefined;
      },
    });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials });
    publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
  }, 60_000);
  afterAll(async () => {
    sqs.destroy();
    await project.sandbox.stop();
  });
  const drained = () => project.sandbox.queues.get(FANOUT_QUEUE)!.drained(30_000);

  it('get consecutive sequence numbers in queue order from one audience read and one append, whatever other channels share the batch', async () => {
    const [a, b] = [`batch-a-${randomUUID()}`, `batch-b-${randomUUID()}`];
    const audienceA = await subscribers(project, a, 3);
    const audienceB = await subscribers(project, b, 2);
    await drained();
    calls.length = 0;
    const sentBefore = project.sandbox.queues.get(FANOUT_QUEUE)!.stats().sent;
    // One tick: one SendMessageBatch of both channels' publishes, interleaved.
    const ids = await Promise.all(Array.from({ length: 8 }, (_, n) => publisher.publish(n % 2 === 0 ? a : b, { n })));
    await drained();
    const frames = await Promise.all([...audienceA, ...audienceB].map(({ client }) => received(client)));
    frames.slice(0, 3).forEach((got) => {
      expect(got.map((f) => [f.channel, f.seq, f.id])).toEqual([0, 2, 4, 6].map((n, k) => [a, k + 1, ids[n]]));
    });
    frames.slice(3).forEach((got) => {
      expect(got.map((f) => [f.channel, f.seq, f.id])).toEqual([1, 3, 5, 7].map((n, k) => [b, k + 1, ids[n]]));
    });
    expect([readsOf(calls, a), appendsOf(calls, a), readsOf(calls, b), appendsOf(calls, b)]).toEqual([1, 1, 1, 1]);
    // One `publishes` record per channel (the publisher packs a tick's calls to one target); the
    // audiences fit one deliver record: posted by the planner, no deliver record was queued.
    expect(project.sandbox.queues.get(FANOUT_QUEUE)!.stats().sent - sentBefore).toBe(2);
    for (const { client } of [...audienceA, ...audienceB]) client.ws.close();
  }, 60_000);

  it('a run to an audience larger than one deliver record: each record carries the run\'s frames, one record per partition\'s chunk', async () => {
    const channel = `wide-${randomUUID()}`;
    const audience = await subscribers(project, channel, 5);
    await drained();
    const sentBefore = project.sandbox.queues.get(FANOUT_QUEUE)!.stats().sent;
    calls.length = 0;
    const ids = await Promise.all(Array.from({ length: 6 }, (_, n) => publisher.publish(channel, { n })));
    await drained();
    // Chunks of at most 3 connection ids (FANOUT_CHUNK_SIZE) per partition (8 by default), whatever the run's length.
    const perPartition = new Map<number, number>();
    for (const { connectionId } of audience) perPartition.set(hashOf(connectionId) % 8, (perPartition.get(hashOf(connectionId) % 8) ?? 0) + 1);
    const records = [...perPartition.values()].reduce((sum, count) => sum + Math.ceil(count / 3), 0);
    // One `publishes` record for the six, then the deliver records.
    expect(project.sandbox.queues.get(FANOUT_QUEUE)!.stats().sent - sentBefore).toBe(1 + records);
    // Each invocation reads the ledgers of its deliver records in one BatchGetItem, never one GetItem a
    // record; each record then writes its own once.
    const ledgerCalls = calls.filter((call) => JSON.stringify(call.input).includes('"DELIVERY#'));
    const batchGets = ledgerCalls.filter((call) => call.operation === 'BatchGetItem');
    expect(ledgerCalls.filter((call) => call.operation === 'GetItem')).toEqual([]);
    expect(batchGets.length).toBeGreaterThan(0);
    expect(batchGets.reduce((sum, call) => sum + (Object.values((call.input as { RequestItems: Record<string, { Keys: unknown[] }> }).RequestItems)[0]!.Keys.length), 0)).toBe(records);
    expect(ledgerCalls.filter((call) => call.operation === 'UpdateItem')).toHaveLength(records);
    for (const { client } of audience) expect((await received(client)).map((f) => [f.seq, f.id])).toEqual(ids.map((id, n) => [n + 1, id]));
    for (const { client } of audience) client.ws.close();
  }, 60_000);

  const isMarkerWrite = (entry: DynamoCall | 'post') =>
    entry !== 'post' && (entry.operation === 'TransactWriteItems' || entry.operation === 'UpdateItem') && JSON.stringify(entry.input).includes('SET planned');
  const headOf = async (channel: string) => (await allItems(project.tableName)).find((item) => item.PK === `CHANNEL#${channel}` && item.SK === 'HEAD');

  it(`a one-hop run of more than ${CHAIN_BUDGET} messages is posted in steps of ${CHAIN_BUDGET}, each step's markers written before the next step's posts`, async () => {
    const channel = `steps-${randomUUID()}`;
    const audience = await subscribers(project, channel, 3);
    await drained();
    timeline.length = 0;
    const queue = project.sandbox.queues.get(FANOUT_QUEUE)!;
    const sentBefore = queue.stats().sent;
    // One tick: four publishes records of 100, one run of 400 messages to 3 connections.
    const ids = await Promise.all(Array.from({ length: 400 }, (_, n) => publisher.publish(channel, n)));
    await drained();
    for (const { client } of audience) expect((await received(client)).map((f) => [f.seq, f.id])).toEqual(ids.map((id, n) => [n + 1, id]));
    const posts = timeline.flatMap((entry, index) => (entry === 'post' ? [index] : []));
    expect(posts).toHaveLength(1200);
    // One hop (no deliver record), and the first step was recorded before the last step's posts.
    expect(queue.stats().sent - sentBefore).toBe(4);
    expect(timeline.some((entry, index) => isMarkerWrite(entry) && index > posts[0]! && index < posts.at(-1)!)).toBe(true);
    expect((await headOf(channel))?.stagedUntil).toBeUndefined();
    for (const { client } of audience) client.ws.close();
  }, 60_000);

  it('a redelivered run whose audience outgrew one hop meanwhile stages the channel, then goes through deliver records (a 429 injected)', async () => {
    const channel = `outgrown-${randomUUID()}`;
    const [a, b] = (await subscribers(project, channel, 2)) as [{ client: TestClient; connectionId: string }, { client: TestClient; connectionId: string }];
    await drained();
    const queue = project.sandbox.queues.get(FANOUT_QUEUE)!;
    const sentBefore = queue.stats().sent;
    throttled = a.connectionId;
    try {
      const id = await publisher.publish(channel, 'late');
      // b is served; a keeps answering 429, so the run fails (its log says so) and waits for its redelivery.
      expect(await b.client.next(10_000)).toMatchObject({ seq: 1, data: 'late' });
      expect(await project.logs.waitForRecords('fanout', (r) => r.event === 'deliver' && r.messageId === id && r.direct === true && Number(r.retry) > 0, 1, 10_000)).toHaveLength(1);
      // Meanwhile the audience outgrows one hop (FANOUT_CHUNK_SIZE 3): two connections gone from the gateway.
      await staleSubscribers(project.tableName, channel, 2);
    } finally {
      throttled = undefined;
    }
    await queue.drained(60_000);
    expect((await received(a.client)).map((f) => [f.seq, f.data])).toEqual([[1, 'late']]);
    expect(await received(b.client)).toEqual([]);
    expect(Number((await headOf(channel))?.stagedUntil)).toBeGreaterThan(Date.now() / 1000);
    expect(queue.stats().sent - sentBefore).toBeGreaterThan(1);
    for (const { client } of [a, b]) client.ws.close();
  }, 90_000);

  it('ledger read-ahead throttled on every try (injected ThrottlingException): each record reads its own ledger, nothing is lost or repeated', async () => {
    const channel = `throttled-${randomUUID()}`;
    const audience = await subscribers(project, channel, 5);
    await drained();
    calls.length = 0;
    throttleLedgerReads = true;
    try {
      const ids = await Promise.all(Array.from({ length: 4 }, (_, n) => publisher.publish(channel, { n })));
      await drained();
      for (const { client } of audience) expect((await received(client)).map((f) => [f.seq, f.id])).toEqual(ids.map((id, n) => [n + 1, id]));
    } finally {
      throttleLedgerReads = false;
    }
    const ledgerCalls = calls.filter((call) => JSON.stringify(call.input).includes('"DELIVERY#'));
    expect(ledgerCalls.filter((call) => call.operation === 'BatchGetItem').length).toBeGreaterThan(0);
    expect(ledgerCalls.filter((call) => call.operation === 'GetItem').length).toBe(ledgerCalls.filter((call) => call.operation === 'UpdateItem').length);
    expect(project.logs.records('fanout').some((r) => r.event === 'fanout_error' && r.reason === 'ledgers_unread')).toBe(true);
    for (const { client } of audience) client.ws.close();
  }, 60_000);

  it('a channel whose audience outgrows one deliver record goes through deliver records, and stays there while earlier ones may be queued', async () => {
    const channel = `grows-${randomUUID()}`;
    const first = await subscribers(project, channel, 2);
    await publisher.publish(channel, 'one-hop');
    await drained();
    const more = await subscribers(project, channel, 2);
    const sentBefore = project.sandbox.queues.get(FANOUT_QUEUE)!.stats().sent;
    await publisher.publish(channel, 'staged');
    await drained();
    const stagedRecords = project.sandbox.queues.get(FANOUT_QUEUE)!.stats().sent - sentBefore - 1;
    expect(stagedRecords).toBeGreaterThan(0);
    for (const { client } of more) expect((await received(client)).map((f) => [f.seq, f.data])).toEqual([[2, 'staged']]);
    // Back to two subscribers: still deliver records, so nothing overtakes a record still queued.
    for (const { client } of more) {
      client.send({ action: 'unsubscribe', channel });
      expect(await client.next(10_000)).toMatchObject({ type: 'ack', action: 'unsubscribe' });
    }
    const sentThen = project.sandbox.queues.get(FANOUT_QUEUE)!.stats().sent;
    await publisher.publish(channel, 'still staged');
    await drained();
    expect(project.sandbox.queues.get(FANOUT_QUEUE)!.stats().sent - sentThen).toBeGreaterThan(1);
    for (const { client } of first) expect((await received(client)).map((f) => [f.seq, f.data])).toEqual([[1, 'one-hop'], [2, 'staged'], [3, 'still staged']]);
    for (const { client } of more) expect(await received(client)).toEqual([]);
    for (const { client } of [...first, ...more]) client.ws.close();
  }, 60_000);
});

describe('FANOUT_ONE_HOP_MAX: the largest audience posted in one hop, below one deliver record', () => {
  let project: Project;
  let sqs: SQSClient;

  beforeAll(async () => {
    // One post in flight: a run's post round trips are its messages × its audience.
    project = await startTestProject({ functionEnv: { fanout: { FANOUT_ONE_HOP_MAX: '2', FANOUT_CONCURRENCY: '1' } } });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials });
  }, 60_000);
  afterAll(async () => {
    sqs.destroy();
    await project.sandbox.stop();
  });

  it('an audience of two is posted by the planner, one of three through deliver records (a record holds 250)', async () => {
    const queue = project.sandbox.queues.get(FANOUT_QUEUE)!;
    const publisher = createPublisher({ queueUrl: queue.url, client: sqs });
    const [small, large] = [`small-${randomUUID()}`, `large-${randomUUID()}`];
    const smallAudience = await subscribers(project, small, 2);
    const largeAudience = await subscribers(project, large, 3);
    await queue.drained(30_000);
    const sent = () => queue.stats().sent;
    const before = sent();
    await publisher.publish(small, 'direct');
    await queue.drained(30_000);
    expect(sent() - before).toBe(1);
    const then = sent();
    await publisher.publish(large, 'staged');
    await queue.drained(30_000);
    const partitions = new Set(largeAudience.map(({ connectionId }) => hashOf(connectionId) % 8)).size;
    expect(sent() - then).toBe(1 + partitions);
    for (const { client } of smallAudience) expect((await received(client)).map((f) => [f.seq, f.data])).toEqual([[1, 'direct']]);
    for (const { client } of largeAudience) expect((await received(client)).map((f) => [f.seq, f.data])).toEqual([[1, 'staged']]);
    for (const { client } of [...smallAudience, ...largeAudience]) client.ws.close();
  }, 60_000);

  it(`a run past the invocation's one-hop budget (${ROUNDS_PER_INVOCATION} post round trips) goes through deliver records; one within it is posted in one hop`, async () => {
    const queue = project.sandbox.queues.get(FANOUT_QUEUE)!;
    const publisher = createPublisher({ queueUrl: queue.url, client: sqs });
    for (const [messages, oneHop] of [[400, true], [600, false]] as const) {
      const channel = `rounds-${messages}-${randomUUID()}`;
      const audience = await subscribers(project, channel, 2);
      await queue.drained(30_000);
      const before = queue.stats().sent;
      // One tick: publishes records of 100, one run to 2 connections: 800 or 1,200 round trips.
      const ids = await Promise.all(Array.from({ length: messages }, (_, n) => publisher.publish(channel, n)));
      await queue.drained(60_000);
      for (const { client } of audience) expect((await received(client)).map((f) => [f.seq, f.id])).toEqual(ids.map((id, n) => [n + 1, id]));
      const records = messages / 100;
      if (oneHop) expect(queue.stats().sent - before).toBe(records);
      else expect(queue.stats().sent - before).toBeGreaterThan(records);
      const head = (await allItems(project.tableName)).find((item) => item.PK === `CHANNEL#${channel}` && item.SK === 'HEAD');
      expect(head?.stagedUntil === undefined).toBe(oneHop);
      for (const { client } of audience) client.ws.close();
    }
  }, 120_000);

  it('the one-hop budget is shared by the message groups one invocation plans side by side', async () => {
    const queue = project.sandbox.queues.get(FANOUT_QUEUE)!;
    const publisher = createPublisher({ queueUrl: queue.url, client: sqs });
    const channels = [`shared-a-${randomUUID()}`, `shared-b-${randomUUID()}`];
    const audiences = await Promise.all(channels.map((channel) => subscribers(project, channel, 2)));
    await queue.drained(30_000);
    // One tick, one SendMessageBatch: 3 publishes records a channel, 600 round trips each, 1,200 together.
    const ids = await Promise.all(channels.map((channel) => Promise.all(Array.from({ length: 300 }, (_, n) => publisher.publish(channel, n)))));
    await queue.drained(60_000);
    for (const [k, audience] of audiences.entries()) {
      for (const { client } of audience) expect((await received(client)).map((f) => [f.seq, f.id])).toEqual(ids[k]!.map((id, n) => [n + 1, id]));
    }
    const items = await allItems(project.tableName);
    const staged = channels.map((channel) => items.find((item) => item.PK === `CHANNEL#${channel}` && item.SK === 'HEAD')?.stagedUntil !== undefined);
    expect(staged.filter(Boolean)).toHaveLength(1);
    for (const { client } of audiences.flat()) client.ws.close();
  }, 120_000);
});

/** A seeded decision per key: the same fault for the same (connection, message, attempt) whatever the timing. */
const chance = seededChance(process.env.FANOUT_FAULT_SEED ?? 'one-hop-faults-1');

describe('the one-hop path under faults (seeded): 410, 429, 403/413, a write applied but unanswered, a consumer crash mid-batch, every message delivered twice', () => {
  const LIVE = 8;
  const STALE = 2;
  const MESSAGES = 30;
  let project: Project;
  let sqs: SQSClient;
  const { injectFault, injected } = seededPostFaults(chance, { final: 0.03, throttle: 0.1 });
  let unanswered = 0;
  let appends = 0;
  let channel = '';

  beforeAll(async () => {
    const real = await extractZip(path.join(DIST, 'fanout.zip'));
    project = await startTestProject({
      functionSource: { fanout: { file: path.join(ROOT, 'test/fixtures/handlers/crashing-fanout.js') } },
      functionEnv: { fanout: { REAL_HANDLER: path.join(real, 'index.js'), CRASH_EVERY: '2', FANOUT_RETRY_BASE_MS: '5' } },
      fanout: { visibilityTimeoutMs: 5000, maxReceiveCount: 50, duplicateDelivery: true, batchSize: 10 },
      // Every other append of the channel goes through, but its answer is lost (the SDK sends it again).
      injectDynamoFault: ({ operation, input, attempt }) => {
        if (channel === '' || operation !== 'TransactWriteItems' || attempt > 1 || !JSON.stringify(input).includes(`"CHANNEL#${channel}"},"SK":{"S":"HEAD"`)) return undefined;
        appends += 1;
        if (appends % 2 === 0) return undefined;
        unanswered += 1;
        return 'reset-after-apply';
      },
      injectFault,
    });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials });
  }, 60_000);
  afterAll(async () => {
    sqs.destroy();
    await project.sandbox.stop();
  });

  it('every live connection receives each message exactly once, in order, without a deliver record; stale ones are removed; the DLQ holds exactly the final failures', async () => {
    const subscribedChannel = `one-hop-${randomUUID()}`;
    const audience = await subscribers(project, subscribedChannel, LIVE);
    const stale = await staleSubscribers(project.tableName, subscribedChannel, STALE);
    const queue = project.sandbox.queues.get(FANOUT_QUEUE)!;
    await queue.drained(30_000);
    channel = subscribedChannel;
    const publisher = createPublisher({ queueUrl: queue.url, client: sqs });
    const ids: string[] = [];
    // Three ticks: three batches of the channel's publishes, each planned as runs.
    for (let tick = 0; tick < 3; tick++) ids.push(...(await Promise.all(Array.from({ length: MESSAGES / 3 }, (_, n) => publisher.publish(channel, { tick, n })))));
    await queue.drained(100_000);

    const frames = await Promise.all(audience.map(({ client }) => received(client)));
    frames.forEach((got, index) => {
      const connectionId = audience[index]!.connectionId;
      expect(got.map((f) => f.id)).toEqual(ids.filter((id) => !injected.final.has(`${connectionId} ${id}`)));
      expect(got.map((f) => f.seq)).toEqual(ids.map((_, n) => n + 1).filter((seq) => !injected.final.has(`${connectionId} ${ids[seq - 1]}`)));
    });
    const items = await allItems(project.tableName);
    for (const connectionId of stale) expect(items.filter((i) => i.connectionId === connectionId)).toEqual([]);
    const dead = project.sandbox.queues
      .get(FANOUT_DLQ)!
      .messages()
      .map((m) => JSON.parse(m.body) as { messageId: string; connectionIds: string[]; status: number });
    expect(new Map(dead.flatMap((d) => d.connectionIds.map((c) => [`${c} ${d.messageId}`, d.status] as const)))).toEqual(injected.final);
    // One-hop: the queue got the joins and one `publishes` record per tick (each once: deduplicated by
    // id), no deliver record.
    expect(queue.stats().sent).toBe(LIVE + 3);

    const crashes = project.logs.records('fanout').filter((r) => r.event === 'injected_crash').length;
    console.log(
      `one-hop fault run: ${LIVE} live + ${STALE} stale connections, ${MESSAGES} messages; ${injected.throttled} throttled posts, ${injected.final.size} final failures, ` +
        `${unanswered} appends unanswered, ${crashes} crashes, ${queue.stats().duplicatesDelivered} duplicate deliveries`,
    );
    expect([injected.throttled > 0, injected.final.size > 0, unanswered > 0, crashes > 0]).toEqual([true, true, true, true]);
    for (const { client } of audience) client.ws.close();
  }, 150_000);
});

describe('appending a run to a channel (DynamoDB Local)', () => {
  it('cuts a run at 100 items and 4 MB a transaction, gives consecutive numbers without reading the head, and gives redelivered messages their own back', async () => {
    const tableName = await createTestTable('append');
    const channels = createChannelStore({ client: documentClient(), tableName, retentionSeconds: 3600, markerTtlSeconds: 3600 });
    const channel = `run-${randomUUID()}`;
    // 60 messages (121 items) of 100 KB (6 MB): at least two transactions by count and by size.
    const payload = JSON.stringify('x'.repeat(100_000));
    const messages = Array.from({ length: 60 }, (_, n) => ({ messageId: `m-${n}`, payload, publishedAt: n }));
    const first = await channels.append({ channel, messages });
    expect(first.appended.map(({ seq, duplicate }) => [seq, duplicate])).toEqual(messages.map((_, n) => [n + 1, false]));
    expect(first.head).toEqual({ seq: 60 });
    // A stale head (as another consumer would know it) and a run mixing redelivered and new messages.
    const again = await channels.append({ channel, messages: [...messages.slice(58), { messageId: 'm-new', payload: '1', publishedAt: 61 }], knownHead: { seq: 5 }, stageUntil: 99 });
    expect(again.appended.map(({ messageId, seq, duplicate }) => [messageId, seq, duplicate])).toEqual([
      ['m-58', 59, true],
      ['m-59', 60, true],
      ['m-new', 61, false],
    ]);
    expect(again.head).toEqual({ seq: 61, stagedUntil: 99 });
    expect(await channels.readLog(channel, 0, 100)).toHaveLength(61);
  }, 60_000);

  it('gives a redelivered run of more than 8 transactions (400 messages) all its numbers back, and follows a head another consumer staged', async () => {
    const tableName = await createTestTable('append-again');
    const channels = createChannelStore({ client: documentClient(), tableName, retentionSeconds: 3600, markerTtlSeconds: 3600 });
    const channel = `again-${randomUUID()}`;
    const messages = Array.from({ length: 400 }, (_, n) => ({ messageId: `m-${n}`, payload: String(n), publishedAt: n }));
    const first = await channels.append({ channel, messages });
    // Each refused transaction of redelivered messages is progress, not a failed attempt.
    const again = await channels.append({ channel, messages, knownHead: first.head });
    expect(again.appended.map(({ seq, duplicate }) => [seq, duplicate])).toEqual(messages.map((_, n) => [n + 1, true]));
    // Staged by another consumer: an append from a head known without it is refused, and learns it.
    await channels.stage(channel, 2_000_000_000);
    const next = await channels.append({ channel, messages: [{ messageId: 'm-next', payload: '1', publishedAt: 1 }], knownHead: first.head });
    expect(next.head).toEqual({ seq: 401, stagedUntil: 2_000_000_000 });
    // An earlier time never moves it back.
    await channels.stage(channel, 1_000_000_000);
    expect(await channels.headOf(channel)).toEqual({ seq: 401, stagedUntil: 2_000_000_000 });
  }, 60_000);
});
