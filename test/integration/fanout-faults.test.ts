import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createPublisher } from '../../packages/publisher/src';
import { DIST, FANOUT_DLQ, FANOUT_QUEUE, ROOT } from '../../sandbox/project';
import { extractZip } from '../../sandbox/unzip';
import { connect, framesSent, type TestClient } from '../helpers/clients';
import { allItems } from '../helpers/dynamo';
import { seededChance, seededPostFaults, staleSubscribers } from '../helpers/post-faults';
import { startTestProject } from '../helpers/project-sandbox';

/** A seeded decision per key: the same fault for the same (connection, message, attempt) whatever the timing. */
const chance = seededChance(process.env.FANOUT_FAULT_SEED ?? 'fanout-faults-1');

const LIVE = 36;
const STALE = 4; // 10 % of the audience: items whose connections are gone (real 410s from the gateway)
const MESSAGES = 40;

type Frame = { type: string; id: string; seq: number; channel: string; data: unknown };

describe('fan-out under faults (seeded): 410, 429, non-retryable 403/413, a consumer crash mid-batch, every message delivered twice', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let sqs: SQSClient;
  // Faults hit the fan-out's posts only; the message function's answers (acks) pass. Non-retryable
  // ones are decided per (connection, message), so a redelivery meets the same answer.
  const { injectFault, injected } = seededPostFaults(chance, { final: 0.02, throttle: 0.1 });

  beforeAll(async () => {
    const real = await extractZip(path.join(DIST, 'fanout.zip'));
    project = await startTestProject({
      functionSource: { fanout: { file: path.join(ROOT, 'test/fixtures/handlers/crashing-fanout.js') } },
      functionEnv: {
        fanout: { REAL_HANDLER: path.join(real, 'index.js'), CRASH_EVERY: '3', FANOUT_CHUNK_SIZE: '5', FANOUT_PARTITIONS: '4', FANOUT_RETRY_BASE_MS: '5' },
      },
      // The visibility timeout bounds the consumer's timeout: it must outlast a slow invocation on a busy
      // machine, or a redelivery would run beside the first and post again (as on Lambda).
      fanout: { visibilityTimeoutMs: 5000, maxReceiveCount: 50, duplicateDelivery: true, batchSize: 10 },
      injectFault,
    });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
  }, 60_000);
  afterAll(async () => {
    sqs.destroy();
    await project.sandbox.stop();
  });

  it('every live connection receives each message exactly once and in order; stale ones are removed; the DLQ holds exactly the injected final failures', async () => {
    const channel = `faults-${randomUUID()}`;
    const users = Array.from({ length: LIVE }, () => randomUUID());
    const clients: TestClient[] = await Promise.all(users.map((user) => connect(project.sandbox.url, { protocols: user })));
    for (const client of clients) {
      client.send({ action: 'subscribe', channel });
      expect(await client.next()).toMatchObject({ type: 'ack', action: 'subscribe' });
    }
    // An anonymous connection's item names its user: that maps each client to its connection id.
    const connectionOf = new Map((await allItems(project.tableName)).filter((i) => i.type === 'connection').map((i) => [i.userId as string, i.connectionId as string]));
    const connectionIds = users.map((user) => connectionOf.get(user)!);
    expect(new Set(connectionIds).size).toBe(LIVE);
    // Stale connections: stored and subscribed, but gone from the gateway (a $disconnect that never came).
    const stale = await staleSubscribers(project.tableName, channel, STALE);

    const publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
    // Ticks of 2: each a `publishes` record of two messages, so the crashes and duplicates meet many records.
    const ids: string[] = [];
    for (let tick = 0; tick < MESSAGES; tick += 2) ids.push(...(await Promise.all([0, 1].map((n) => publisher.publish(channel, { n: tick + n })))));
    const expectedFor = (connectionId: string) => ids.filter((id) => !injected.final.has(`${connectionId} ${id}`));

    // Once the queue is drained (nothing visible, nothing in flight, no invocation running) every
    // frame has been posted; each client then reads what it was sent.
    await project.sandbox.queues.get(FANOUT_QUEUE)!.drained(100_000);
    const received = await Promise.all(clients.map((client) => framesSent<Frame>(client)));

    let delivered = 0;
    let expectedTotal = 0;
    received.forEach((frames, index) => {
      const expected = expectedFor(connectionIds[index]!);
      expect(frames.map((f) => f.id)).toEqual(expected); // exactly once, in publish order
      const seqs = frames.map((f) => f.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      delivered += frames.length;
      expectedTotal += expected.length;
    });
    expect(delivered).toBe(expectedTotal);

    // Stale connections were removed with their subscriptions.
    const items = await allItems(project.tableName);
    for (const connectionId of stale) expect(items.filter((i) => i.connectionId === connectionId)).toEqual([]);

    // The DLQ holds exactly the injected non-retryable failures, one connection id per injected pair.
    const dead = project.sandbox.queues
      .get(FANOUT_DLQ)!
      .messages()
      .map((m) => JSON.parse(m.body) as { reason: string; messageId: string; connectionIds: string[]; status: number });
    const deadPairs = new Map(dead.flatMap((d) => d.connectionIds.map((c) => [`${c} ${d.messageId}`, d.status] as const)));
    expect(deadPairs).toEqual(injected.final);
    expect(dead.every((d) => (d.status === 403 ? d.reason === 'forbidden' : d.reason === 'payload_too_large'))).toBe(true);

    // The faults really happened.
    const crashes = project.logs.records('fanout').filter((r) => r.event === 'injected_crash').length;
    const stats = project.sandbox.queues.get(FANOUT_QUEUE)!.stats();
    console.log(
      `fault run: ${LIVE} live + ${STALE} stale connections, ${MESSAGES} messages; ${injected.throttled} throttled posts, ` +
        `${injected.final.size} final failures (DLQ), ${crashes} crashes, ${stats.duplicatesDelivered ?? 'n/a'} duplicate deliveries, ${delivered} frames delivered`,
    );
    expect(injected.throttled).toBeGreaterThan(0);
    expect(injected.final.size).toBeGreaterThan(0);
    expect(crashes).toBeGreaterThan(0);
    for (const client of clients) client.ws.close();
  }, 120_000);
});
