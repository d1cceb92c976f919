import { createHash, randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createPublisher } from '../../packages/publisher/src/index';
import { FANOUT_QUEUE } from '../../sandbox/project';
import { connect, sleep, type TestClient } from '../helpers/clients';
import { startTestProject } from '../helpers/project-sandbox';

/** Seeded, so a failing run can be replayed: SUBSCRIBE_SEED=… */
const SEED = process.env.SUBSCRIBE_SEED ?? 'subscribe-1';
const random = (() => {
  let counter = 0;
  return (): number => createHash('sha256').update(`${SEED}\n${counter++}`).digest().readUInt32BE(0) / 2 ** 32;
})();

const CLIENTS = 20;

type Frame = Record<string, unknown>;

/** Every frame a client receives, in arrival order. */
function record(client: TestClient): Frame[] {
  const frames: Frame[] = [];
  client.ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame));
  return frames;
}

/**
 * What the subscribe contract promises, checked on what a client received: after the ack (seq N),
 * every seq from N + 1 to the channel's last, in order, each one either a message or inside a
 * RESUME_GAP; with `since`, every seq from since + 1 to N too. Returns the broken promises.
 */
function broken(frames: Frame[], since: number | undefined, last: number): string[] {
  const ackAt = frames.findIndex((f) => f.type === 'ack' && f.action === 'subscribe');
  if (ackAt < 0) return ['no ack'];
  const head = frames[ackAt]!.seq as number;
  const problems: string[] = [];
  const after = frames.slice(ackAt + 1);
  let next = head + 1;
  for (const frame of after) {
    if (frame.type === 'error' && frame.code === 'RESUME_GAP') {
      const lost = frame.lost as { from: number; to: number };
      if (lost.from > head && lost.from <= next) next = Math.max(next, lost.to + 1);
    } else if (frame.type === 'message' && (frame.seq as number) > head) {
      const seq = frame.seq as number;
      if (seq === next) next += 1;
      else if (seq > next) {
        problems.push(`after ack ${head}: ${next}…${seq - 1} missing before ${seq}`);
        next = seq + 1;
      }
    }
  }
  if (next !== last + 1) problems.push(`after ack ${head}: ended at ${next - 1}, the channel at ${last}`);
  if (since !== undefined) {
    const seen = new Set(after.filter((f) => f.type === 'message').map((f) => f.seq as number));
    for (const frame of after.filter((f) => f.code === 'RESUME_GAP')) {
      const lost = frame.lost as { from: number; to: number };
      for (let seq = lost.from; seq <= lost.to; seq++) seen.add(seq);
    }
    const missing = [...Array(Math.max(0, head - since)).keys()].map((n) => since + 1 + n).filter((seq) => !seen.has(seq));
    if (missing.length > 0) problems.push(`replay after ${since}: ${missing.join(',')} missing`);
  }
  return problems;
}

describe('subscribe on a busy channel', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let sqs: SQSClient;

  beforeAll(async () => {
    project = await startTestProject();
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
  });
  afterAll(async () => {
    sqs.destroy();
    await project.sandbox.stop();
  });

  it(`${CLIENTS} clients subscribing mid-stream, with and without since, each get every seq after their ack's, in order, or a RESUME_GAP`, async () => {
    const channel = `busy-${randomUUID()}`;
    const watcher = await connect(project.sandbox.url, { protocols: randomUUID() });
    const watched = record(watcher);
    watcher.send({ action: 'subscribe', channel });
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(project.sandbox.url, { protocols: randomUUID() })));
    const received = clients.map(record);
    while (!watched.some((f) => f.type === 'ack')) await sleep(10);

    // A steady stream, about 80 publishes a second whatever each takes, while the clients subscribe.
    const publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
    const sends: Array<Promise<string>> = [];
    const stream = setInterval(() => sends.push(publisher.publish(channel, { n: sends.length + 1 })), 12);
    await sleep(300);
    const since: Array<number | undefined> = [];
    for (const [index, client] of clients.entries()) {
      await sleep(30 + random() * 50);
      // Half of them resubscribe from a seq they might have kept: a little behind the head.
      const lastSeen = Math.max(0, ...watched.filter((f) => f.type === 'message').map((f) => f.seq as number));
      since[index] = index % 2 === 0 ? undefined : Math.max(0, lastSeen - 3);
      client.send({ action: 'subscribe', channel, ...(since[index] === undefined ? {} : { since: since[index] }) });
    }
    await sleep(300);
    clearInterval(stream);
    const published = (await Promise.all(sends)).length;
    await project.sandbox.queues.get(FANOUT_QUEUE)!.drained(60_000);
    await sleep(200);

    const problems = received.flatMap((frames, index) => broken(frames, since[index], published).map((problem) => `client ${index}${since[index] === undefined ? '' : ` (since ${since[index]})`}: ${problem}`));
    console.log(`subscribe stream: ${published} messages, ${CLIENTS} clients subscribing mid-stream (${CLIENTS / 2} with since), ${problems.length} broken promises`);
    expect(problems).toEqual([]);
    for (const client of [watcher, ...clients]) client.ws.close();
  }, 60_000);
});
