/**
 * Broadcast benchmark: frames per second delivered end to end by the fan-out path (publisher → SQS
 * FIFO queue → planner → deliver records → PostToConnection with bounded concurrency) to
 * BENCH_FANOUT_CLIENTS sandbox connections, against two baselines measured in the same run on the
 * same machine:
 *   (a) a naive loop awaiting each PostToConnection in turn (same sandbox, same SDK client);
 *   (b) a plain `ws` server broadcasting the same frames to as many clients: the local ceiling.
 * Also DynamoDB requests per publish and per delivered frame, counted at DynamoDB Local.
 * Run twice: with the sandbox's Management API answering at loopback speed (where the sandbox's own
 * CPU is the limit) and with BENCH_FANOUT_LATENCY_MS added to each call, modelling the network round
 * trip to API Gateway that bounded concurrency exists to overlap.
 */
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { SQSClient } from '@aws-sdk/client-sqs';
import WebSocket, { WebSocketServer } from 'ws';
import { createPublisher } from '../packages/publisher/src/index';
import { startDynamoLocal } from '../sandbox/dynamo-local';
import { FANOUT_QUEUE, startProjectSandbox } from '../sandbox/project';
import { countingProxy, describe, total } from './dynamo-counter';

const CLIENTS = Number(process.env.BENCH_FANOUT_CLIENTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_FANOUT_ROUNDS ?? 3);
/** The modelled round trip to the Management API for the second scenario. */
const LATENCY_MS = Number(process.env.BENCH_FANOUT_LATENCY_MS ?? 5);
const CONNECT_PARALLEL = 50;

/** Clients that count the frames they receive; `until(n)` resolves once every client has n. */
class Audience {
  readonly sockets: WebSocket[] = [];
  private readonly counts: number[] = [];
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  add(ws: WebSocket): void {
    const index = this.sockets.push(ws) - 1;
    this.counts[index] = 0;
    ws.on('message', () => {
      this.counts[index]! += 1;
      this.check();
    });
  }

  until(n: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ n, resolve });
      this.check();
    });
  }

  private check(): void {
    if (this.waiters.length === 0) return;
    const least = Math.min(...this.counts);
    this.waiters = this.waiters.filter((waiter) => (least >= waiter.n ? (waiter.resolve(), false) : true));
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.sockets.map((ws) => new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve(null) : ws.once('close', resolve).close(1000)))));
  }
}

/** `count` clients; on the sandbox each offers a random anonymous id, on the plain server nothing. */
async function open(url: string, anonymous: boolean, count: number): Promise<Audience> {
  const audience = new Audience();
  for (let i = 0; i < count; i += CONNECT_PARALLEL) {
    await Promise.all(
      Array.from({ length: Math.min(CONNECT_PARALLEL, count - i) }, async () => {
        const ws = new WebSocket(url, anonymous ? [crypto.randomUUID()] : [], { perMessageDeflate: false });
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        audience.add(ws);
      }),
    );
  }
  return audience;
}

/**
 * Runs ROUNDS rounds of `send`, each until every client has the round's frame (clients have `before`
 * frames already); returns ms per round.
 */
async function rounds(audience: Audience, before: number, send: (round: number) => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const started = performance.now();
    await send(round);
    await audience.until(before + round);
    times.push(performance.now() - started);
  }
  return times;
}

const frameFor = (round: number): string => JSON.stringify({ type: 'message', channel: 'broadcast:all', seq: round, id: `bench-${round}`, data: { round, text: 'x'.repeat(64) } });
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Scenario {
  fanout: number[];
  naive: number[];
  requests: Map<string, number>;
}

/** Both paths against one sandbox whose Management API answers after `latencyMs`. */
async function scenario(dynamoEndpoint: string, latencyMs: number): Promise<Scenario> {
  const proxy = await countingProxy(dynamoEndpoint);
  const sandbox = await startProjectSandbox({
    dynamoEndpoint: proxy.endpoint,
    port: 0,
    tableName: `bench-fanout-${latencyMs}`,
    logLevel: 'warn',
    latency: { management: latencyMs },
  });
  const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: sandbox.sqsEndpoint, credentials });
  const management = new ApiGatewayManagementApiClient({ endpoint: sandbox.managementEndpoint, region: 'us-east-1', credentials });
  try {
    const audience = await open(sandbox.url, true, CLIENTS);
    const publisher = createPublisher({ queueUrl: sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
    // One broadcast first, unmeasured: the fanout function's cold start is not what is compared.
    await publisher.broadcast({ warmup: true });
    await audience.until(1);
    await sandbox.queues.get(FANOUT_QUEUE)!.drained();
    proxy.counts.clear();
    const fanout = await rounds(audience, 1, async (round) => {
      await publisher.broadcast({ round, text: 'x'.repeat(64) });
    });
    await sandbox.queues.get(FANOUT_QUEUE)!.drained();
    const requests = new Map(proxy.counts);
    const connectionIds = [...sandbox.gateway.connections.keys()];
    const naive = await rounds(audience, 1 + ROUNDS, async (round) => {
      for (const connectionId of connectionIds) {
        await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: frameFor(round) }));
      }
    });
    await audience.closeAll();
    return { fanout, naive, requests };
  } finally {
    sqs.destroy();
    management.destroy();
    await sandbox.stop();
    proxy.server.close();
  }
}

export async function benchFanout(): Promise<void> {
  const dynamo = await startDynamoLocal();
  const results: Array<[number, Scenario]> = [];
  try {
    for (const latency of [0, LATENCY_MS]) results.push([latency, await scenario(dynamo.endpoint, latency)]);
  } finally {
    await dynamo.stop();
  }

  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise((resolve) => server.once('listening', resolve));
  const plainAudience = await open(`ws://127.0.0.1:${(server.address() as { port: number }).port}`, false, CLIENTS);
  const plain = await rounds(plainAudience, 0, async (round) => {
    const frame = frameFor(round);
    for (const socket of server.clients) socket.send(frame);
  });
  await plainAudience.closeAll();
  await new Promise((resolve) => server.close(resolve));

  const rate = (times: number[]): number => (CLIENTS * ROUNDS) / (sum(times) / 1000);
  const line = (name: string, times: number[]) =>
    `  ${name.padEnd(44)} ${rate(times).toFixed(0).padStart(8)} frames/s   all ${CLIENTS} reached in ${median(times).toFixed(0).padStart(6)} ms (median of ${ROUNDS})`;
  console.log(`\nBroadcast to ${CLIENTS} connections, ${ROUNDS} rounds each (a round ends when every client has its frame)`);
  for (const [latency, result] of results) {
    console.log(` Management API answering ${latency === 0 ? 'at loopback speed' : `after ${latency} ms (a modelled network round trip)`}:`);
    console.log(line('fan-out path (publisher → SQS → fanout λ)', result.fanout));
    console.log(line('(a) loop awaiting each PostToConnection', result.naive));
    console.log(`  fan-out ÷ (a) ${(rate(result.fanout) / rate(result.naive)).toFixed(2)}×    fan-out ÷ (b) ${(rate(result.fanout) / rate(plain)).toFixed(3)}×`);
    console.log(
      `  DynamoDB requests per publish ${(total(result.requests) / ROUNDS).toFixed(2)}, per delivered frame ${(total(result.requests) / (ROUNDS * CLIENTS)).toFixed(4)}   (${describe(result.requests)})`,
    );
  }
  console.log(line('(b) plain ws server broadcast (local ceiling)', plain));
}
