import { createHash, randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import WebSocket from 'ws';
import { createPublisher } from '../../packages/publisher/src/index';
import { FANOUT_QUEUE } from '../../sandbox/project';
import { startTestProject } from '../helpers/project-sandbox';

/** Seeded, so a failing run can be replayed: CHAOS_SEED=… npx jest test/integration/chaos.test.ts */
const SEED = process.env.CHAOS_SEED ?? 'chaos-1';
const random = (() => {
  let counter = 0;
  return (): number => createHash('sha256').update(`${SEED}\n${counter++}`).digest().readUInt32BE(0) / 2 ** 32;
})();

const CLIENTS = 8;
const CUTS_PER_CLIENT = 26; // 208 forced disconnects
const CHANNELS = 3;

type Frame = Record<string, unknown>;

interface Tally {
  /** Frames dropped by the client's de-duplication (seq already seen). */
  duplicates: number;
  /** A seq that skipped ahead (a loss) or came after a later one (a reorder): must stay 0. */
  violations: string[];
  gaps: number;
  cuts: number;
  cutsBeforeResumed: number;
  delivered: number;
}

/**
 * A client as the protocol asks for: keeps the last sequence number per channel, drops a seq already
 * seen, and resumes with that map after every drop. Any seq other than last + 1 is a violation.
 */
class ChaosClient {
  readonly lastSeq: Record<string, number>;
  readonly tally: Tally = { duplicates: 0, violations: [], gaps: 0, cuts: 0, cutsBeforeResumed: 0, delivered: 0 };
  private session?: { sessionId: string; resumeToken: string };
  private ws?: WebSocket;
  private resumed = false;

  constructor(
    private readonly url: string,
    private readonly user: string,
    private readonly channels: string[],
  ) {
    this.lastSeq = Object.fromEntries(channels.map((channel) => [channel, 0]));
  }

  /** Opens a connection; the first one says hello and subscribes, later ones resume. */
  async open(): Promise<void> {
    const ws = new WebSocket(this.url, [this.user], { perMessageDeflate: false });
    this.ws = ws;
    this.resumed = false;
    const welcomed = new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Frame;
        if (frame.type === 'welcome') {
          this.session = { sessionId: frame.sessionId as string, resumeToken: frame.resumeToken as string };
          resolve();
        } else if (frame.type === 'resumed') {
          this.resumed = true;
          resolve();
        } else if (frame.type === 'message') this.receive(frame);
        else if (frame.type === 'error' && frame.code === 'RESUME_GAP') this.tally.gaps += 1;
        else if (frame.type === 'error') this.tally.violations.push(`error frame ${JSON.stringify(frame)}`);
      });
      ws.once('error', reject);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    if (!this.session) {
      ws.send(JSON.stringify({ action: 'hello' }));
      await welcomed;
      for (const channel of this.channels) ws.send(JSON.stringify({ action: 'subscribe', channel }));
    } else {
      ws.send(JSON.stringify({ action: 'resume', ...this.session, channels: this.lastSeq }));
    }
  }

  private receive(frame: Frame): void {
    const channel = frame.channel as string;
    const seq = frame.seq as number;
    const last = this.lastSeq[channel]!;
    if (seq <= last) this.tally.duplicates += 1;
    else if (seq === last + 1) {
      this.lastSeq[channel] = seq;
      this.tally.delivered += 1;
    } else this.tally.violations.push(`${channel}: ${seq} after ${last}`);
  }

  /** Cuts the connection as a network drop would (no closing handshake). */
  cut(): void {
    if (!this.resumed && this.session && this.tally.cuts > 0) this.tally.cutsBeforeResumed += 1;
    this.tally.cuts += 1;
    this.ws?.terminate();
  }

  close(): void {
    this.ws?.close();
  }
}

describe('chaos: clients on a steady stream are cut at random points and resume', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let sqs: SQSClient;

  beforeAll(async () => {
    project = await startTestProject({ session: { resumeWindowSeconds: 120 }, functionEnv: { connect: { MAX_CONNECTIONS_PER_USER: '0' } } });
    sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
  });
  afterAll(async () => {
    sqs.destroy();
    await project.sandbox.stop();
  });

  it(`${CLIENTS * CUTS_PER_CLIENT} forced disconnects: nothing lost, nothing duplicated after de-duplication, nothing reordered`, async () => {
    const channels = Array.from({ length: CHANNELS }, (_, n) => `chaos-${n}-${randomUUID().slice(0, 8)}`);
    const clients = Array.from({ length: CLIENTS }, () => new ChaosClient(project.sandbox.url, randomUUID(), channels));
    await Promise.all(clients.map((client) => client.open()));
    // Every client has its subscriptions before the stream starts.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const publisher = createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
    const published: Record<string, number> = Object.fromEntries(channels.map((channel) => [channel, 0]));
    let streaming = true;
    const stream = (async () => {
      for (let n = 0; streaming; n++) {
        const channel = channels[n % CHANNELS]!;
        await publisher.publish(channel, { n });
        published[channel]! += 1;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    await Promise.all(
      clients.map(async (client) => {
        for (let cut = 0; cut < CUTS_PER_CLIENT; cut++) {
          await new Promise((resolve) => setTimeout(resolve, 20 + random() * 600));
          client.cut();
          await client.open();
        }
      }),
    );
    streaming = false;
    await stream;

    // Settle: every client ends up at each channel's head, or the test times out.
    const deadline = Date.now() + 60_000;
    while (clients.some((client) => channels.some((channel) => client.lastSeq[channel] !== published[channel])) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const totals = clients.reduce(
      (sum, { tally }) => ({
        cuts: sum.cuts + tally.cuts,
        beforeResumed: sum.beforeResumed + tally.cutsBeforeResumed,
        duplicates: sum.duplicates + tally.duplicates,
        delivered: sum.delivered + tally.delivered,
        gaps: sum.gaps + tally.gaps,
      }),
      { cuts: 0, beforeResumed: 0, duplicates: 0, delivered: 0, gaps: 0 },
    );
    console.log(
      `chaos (${SEED}): ${totals.cuts} forced disconnects (${totals.beforeResumed} before the resume was answered), ` +
        `${Object.values(published).reduce((a, b) => a + b, 0)} messages on ${CHANNELS} channels, ${totals.delivered} delivered after de-duplication, ` +
        `${totals.duplicates} duplicates dropped by the clients, ${totals.gaps} RESUME_GAP`,
    );
    expect(totals.cuts).toBeGreaterThanOrEqual(200);
    expect(clients.flatMap((client) => client.tally.violations)).toEqual([]);
    for (const client of clients) expect(client.lastSeq).toEqual(published);
    expect(totals.delivered).toBe(CLIENTS * Object.values(published).reduce((a, b) => a + b, 0));
    expect(totals.gaps).toBe(0);
    for (const client of clients) client.close();
  }, 180_000);
});
