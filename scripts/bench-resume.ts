/**
 * Resume benchmark: the time from reconnecting to the last replayed message, for 100 and 1,000
 * missed messages, against the same clients receiving the same number of messages live, in one run;
 * and the DynamoDB requests one reconnect + resume costs (its $connect included), counted at
 * DynamoDB Local. BENCH_RESUME_CLIENTS (10) and BENCH_RESUME_SIZES (100,1000) set the sizes.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import WebSocket from 'ws';
import { createPublisher, type Publisher } from '../packages/publisher/src/index';
import { startDynamoLocal } from '../sandbox/dynamo-local';
import { FANOUT_QUEUE, startProjectSandbox, type ProjectSandboxOptions } from '../sandbox/project';
import { countingProxy, describe, total } from './dynamo-counter';

const CLIENTS = Number(process.env.BENCH_RESUME_CLIENTS ?? 10);
const SIZES = (process.env.BENCH_RESUME_SIZES ?? '100,1000').split(',').map(Number);

type Frame = Record<string, unknown>;

/** A client that counts the channel's messages it receives and can wait for the n-th. */
class Reader {
  received = 0;
  private waiter?: { n: number; resolve: () => void };
  session?: { sessionId: string; resumeToken: string };
  ws!: WebSocket;

  constructor(
    private readonly url: string,
    readonly user: string,
  ) {}

  async open(first: Frame): Promise<Frame> {
    this.ws = new WebSocket(this.url, [this.user], { perMessageDeflate: false });
    await new Promise((resolve, reject) => this.ws.once('open', resolve).once('error', reject));
    const answer = new Promise<Frame>((resolve) => {
      this.ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Frame;
        if (frame.type === 'message') {
          this.received += 1;
          if (this.waiter && this.received >= this.waiter.n) this.waiter.resolve();
        } else resolve(frame);
      });
    });
    this.ws.send(JSON.stringify(first));
    return answer;
  }

  until(n: number): Promise<void> {
    return this.received >= n ? Promise.resolve() : new Promise((resolve) => (this.waiter = { n, resolve }));
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.ws.once('close', resolve).close(1000));
  }
}

async function publishMany(publisher: Publisher, channel: string, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += 100) {
    await Promise.all(Array.from({ length: Math.min(100, count - sent) }, (_, n) => publisher.publish(channel, { n: sent + n, text: 'x'.repeat(64) })));
  }
}

export async function benchResume(options: Partial<ProjectSandboxOptions> = {}): Promise<void> {
  const dynamo = await startDynamoLocal();
  const proxy = await countingProxy(dynamo.endpoint);
  const sandbox = await startProjectSandbox({ dynamoEndpoint: proxy.endpoint, port: 0, tableName: 'bench-resume', logLevel: 'warn', ...options });
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
  const queue = sandbox.queues.get(FANOUT_QUEUE)!;
  const lines: string[] = [];
  try {
    const publisher = createPublisher({ queueUrl: queue.url, client: sqs });
    for (const size of SIZES) {
      const channel = `bench-${size}-${Date.now()}`;
      const readers = Array.from({ length: CLIENTS }, () => new Reader(sandbox.url, crypto.randomUUID()));
      for (const reader of readers) {
        const welcome = await reader.open({ action: 'hello' });
        reader.session = { sessionId: welcome.sessionId as string, resumeToken: welcome.resumeToken as string };
        reader.ws.send(JSON.stringify({ action: 'subscribe', channel }));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));

      // Live: the same clients receive `size` messages as they are published.
      let started = performance.now();
      await publishMany(publisher, channel, size);
      await Promise.all(readers.map((reader) => reader.until(size)));
      const live = performance.now() - started;
      await queue.drained(120_000);

      // Missed: the clients are away while `size` more are published, then reconnect and resume.
      await Promise.all(readers.map((reader) => reader.close()));
      await publishMany(publisher, channel, size);
      await queue.drained(120_000);
      proxy.counts.clear();
      started = performance.now();
      await Promise.all(
        readers.map(async (reader) => {
          reader.received = 0;
          await reader.open({ action: 'resume', ...reader.session, channels: { [channel]: size } });
          await reader.until(size);
        }),
      );
      const replay = performance.now() - started;
      await queue.drained(120_000);
      const requests = new Map(proxy.counts);
      await Promise.all(readers.map((reader) => reader.close()));
      lines.push(
        `  ${String(size).padStart(5)} missed   replay ${replay.toFixed(0).padStart(6)} ms   live ${live.toFixed(0).padStart(6)} ms   replay ÷ live ${(replay / live).toFixed(2)}×   ` +
          `DynamoDB per reconnect + resume ${(total(requests) / CLIENTS).toFixed(1)} (${describe(requests)})`,
      );
    }
  } finally {
    sqs.destroy();
    await sandbox.stop();
    proxy.server.close();
    await dynamo.stop();
  }
  console.log(`\nResume (${CLIENTS} clients on one channel; time from reconnecting to the last replayed message, against receiving as many live)`);
  for (const line of lines) console.log(line);
}
