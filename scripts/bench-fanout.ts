/**
 * Fan-out benchmark, each figure against a baseline measured in the same run, with every AWS service's
 * round trip modelled (sandbox/latency.ts; BENCH_LATENCY_MS, the format of SANDBOX_LATENCY_MS):
 *
 * - `audiences`: for each audience of BENCH_FANOUT_AUDIENCES (1, 20, 2000) subscribed to one channel,
 *   publish → first and last receipt, p50 and p99 over BENCH_FANOUT_PUBLISHES publishes made one at a
 *   time through the publisher library (publisher → SQS FIFO → fanout λ → PostToConnection); against a
 *   loop awaiting each PostToConnection to the same connections; DynamoDB requests and request units,
 *   SQS requests, Lambda invocations and billed ms, API Gateway messages per publish, priced by the
 *   cost model (scripts/cost-model.ts, scripts/prices.json).
 * - `connections`: what holding a connection costs (connect, a heartbeat ping a minute, disconnect),
 *   priced per million connection-minutes.
 * - `hot`: one channel's sustained publishes/s and 16 channels' together, against sequential
 *   single-item updates/s on the same DynamoDB Local (loopback speed: the path against DynamoDB's
 *   own per-item write limit).
 * BENCH_FANOUT_ROWS picks rows (default all), so one row can be re-run alone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import WebSocket from 'ws';
import { createPublisher } from '../packages/publisher/src/index';
import { startDynamoLocal } from '../sandbox/dynamo-local';
import { readLatency } from '../sandbox/launch';
import type { ServiceLatency } from '../sandbox/latency';
import { DIST, FANOUT_QUEUE, ROOT, startProjectSandbox } from '../sandbox/project';
import { appSyncEventsCost, beyondApiGateway, billedUnits, costOf, loadPrices, perMillion, type Prices, type Usage } from './cost-model';
import { countingProxy, describe, total } from './dynamo-counter';
import { readModule } from './terraform-docs';

const ROWS = (process.env.BENCH_FANOUT_ROWS ?? 'audiences,connections,hot').split(',').map((row) => row.trim());
const AUDIENCES = (process.env.BENCH_FANOUT_AUDIENCES ?? '1,20,2000').split(',').map(Number);
const PUBLISHES = Number(process.env.BENCH_FANOUT_PUBLISHES ?? 20);
const NAIVE_ROUNDS = Number(process.env.BENCH_FANOUT_NAIVE_ROUNDS ?? 3);
const HOT_PUBLISHES = Number(process.env.BENCH_HOT_PUBLISHES ?? 200);
const HOT_CHANNELS = 16;
/** How long a connection is assumed to last, to spread its connect and disconnect over its minutes. */
const SESSION_MINUTES = Number(process.env.BENCH_SESSION_MINUTES ?? 60);
const LATENCY: ServiceLatency = readLatency({ SANDBOX_LATENCY_MS: process.env.BENCH_LATENCY_MS ?? 'dynamodb=5,sqs=10,scheduler=10,management=5,lambda=10' })!;
const CONNECT_PARALLEL = 50;
const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
};
const median = (values: number[]): number => percentile(values, 0.5);

/** Clients that note when each message (by its data's `n`) reached them, and the largest frame. */
class Audience {
  readonly sockets: WebSocket[] = [];
  /** n → receipt times (performance.now()), one per client. */
  readonly receipts = new Map<number, number[]>();
  maxFrameBytes = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  add(ws: WebSocket): void {
    this.sockets.push(ws);
    ws.on('message', (raw: Buffer) => {
      const at = performance.now();
      const frame = JSON.parse(raw.toString('utf8')) as { type?: string; data?: { n?: number } };
      if (frame.type !== 'message' || typeof frame.data?.n !== 'number') return;
      this.maxFrameBytes = Math.max(this.maxFrameBytes, raw.length);
      const times = this.receipts.get(frame.data.n) ?? [];
      times.push(at);
      this.receipts.set(frame.data.n, times);
      this.waiters = this.waiters.filter((waiter) => (this.has(waiter.n) ? (waiter.resolve(), false) : true));
    });
  }

  private has(n: number): boolean {
    return (this.receipts.get(n)?.length ?? 0) >= this.sockets.length;
  }

  /** Resolves once every client has message `n`. */
  until(n: number): Promise<void> {
    return this.has(n) ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.sockets.map((ws) => new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve(null) : ws.once('close', resolve).close(1000)))));
  }
}

/** `count` anonymous clients, each subscribed to `channel` (acked) when one is given. */
async function open(url: string, count: number, channel?: string): Promise<Audience> {
  const audience = new Audience();
  for (let i = 0; i < count; i += CONNECT_PARALLEL) {
    await Promise.all(
      Array.from({ length: Math.min(CONNECT_PARALLEL, count - i) }, async () => {
        const ws = new WebSocket(url, [crypto.randomUUID()], { perMessageDeflate: false });
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        if (channel) {
          const acked = new Promise<void>((resolve) => {
            const onFrame = (raw: Buffer): void => {
              const frame = JSON.parse(raw.toString('utf8')) as { type?: string; action?: string };
              if (frame.type === 'ack' && frame.action === 'subscribe') {
                ws.off('message', onFrame);
                resolve();
              }
            };
            ws.on('message', onFrame);
          });
          ws.send(JSON.stringify({ action: 'subscribe', channel }));
          await acked;
        }
        audience.add(ws);
      }),
    );
  }
  return audience;
}

/** The functions' memory and architecture as the Terraform module sets them (one variable for every function). */
async function lambdaShape(): Promise<{ memoryMb: number; architecture: 'x86_64' | 'arm64' }> {
  const main = readFileSync(path.join(ROOT, 'main.tf'), 'utf8');
  const settings = [...main.matchAll(/^\s*memory_size\s*=\s*(.+)$/gm)].map((match) => match[1]!.trim());
  if (settings.length === 0 || settings.some((setting) => setting !== 'var.lambda_memory_size')) {
    throw new Error(`main.tf: every function's memory_size must be var.lambda_memory_size for the cost model, found ${settings.join(', ')}`);
  }
  const { variables } = await readModule(ROOT);
  const value = (name: string) => variables.find((variable) => variable.name === name)?.default;
  return { memoryMb: Number(value('lambda_memory_size')), architecture: value('lambda_architecture') as 'x86_64' | 'arm64' };
}

let shape: Promise<{ batchSize: number; maximumConcurrency: number }> | undefined;
/**
 * The fanout event source mapping as the module creates it by default (`fanout.batch_size`,
 * `fanout.maximum_concurrency` in variables.tf), so the sandbox delivers with as many invocations at
 * once as a deployed stack would; read once.
 */
const mappingShape = (): Promise<{ batchSize: number; maximumConcurrency: number }> => (shape ??= readMappingShape());

async function readMappingShape(): Promise<{ batchSize: number; maximumConcurrency: number }> {
  const { variables } = await readModule(ROOT);
  const type = variables.find((variable) => variable.name === 'fanout')?.type ?? '';
  const field = (name: string): number => {
    const match = new RegExp(`\\b${name}\\s*=\\s*optional\\(number,\\s*(\\d+)\\)`).exec(type);
    if (!match) throw new Error(`variables.tf: fanout.${name} has no number default for the bench to use`);
    return Number(match[1]);
  };
  return { batchSize: field('batch_size'), maximumConcurrency: field('maximum_concurrency') };
}

/** Counters of a sandbox run, read before and after a phase. */
interface Counters {
  dynamoRequests: number;
  readUnits: number;
  writeUnits: number;
  sqsCalls: number;
  esmBatches: number;
  invocations: number;
  billedMs: number;
  posts: number;
}

type Sandbox = Awaited<ReturnType<typeof startProjectSandbox>>;
type Proxy = Awaited<ReturnType<typeof countingProxy>>;

function read(sandbox: Sandbox, proxy: Proxy): Counters {
  const functions = [...sandbox.functions.values()];
  return {
    dynamoRequests: total(proxy.counts),
    readUnits: proxy.units.read,
    writeUnits: proxy.units.write,
    sqsCalls: sandbox.latency.calls.sqs,
    // Every fanout invocation is one batch of its event source mapping: a ReceiveMessage and a DeleteMessageBatch.
    esmBatches: sandbox.functions.get('fanout')!.invocations,
    invocations: functions.reduce((sum, fn) => sum + fn.invocations, 0),
    billedMs: functions.reduce((sum, fn) => sum + fn.billedMs, 0),
    posts: sandbox.latency.calls.management,
  };
}

const minus = (after: Counters, before: Counters): Counters =>
  Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - before[key as keyof Counters]])) as unknown as Counters;

/** Usage of a phase, API Gateway messages given separately (posts out, pings in and out, …). */
function usageOf(delta: Counters, messageUnits: number, shape: { memoryMb: number; architecture: 'x86_64' | 'arm64' }): Usage {
  return {
    dynamodb: { readUnits: delta.readUnits, writeUnits: delta.writeUnits },
    sqs: { fifoRequests: delta.sqsCalls + 2 * delta.esmBatches, standardRequests: 0 },
    lambda: { invocations: delta.invocations, billedMs: delta.billedMs, ...shape },
    apiGateway: { messageUnits, connectionMinutes: 0 },
  };
}

interface AudienceResult {
  audience: number;
  first: number[];
  last: number[];
  naive: number[];
  delta: Counters;
  requests: Map<string, number>;
  frameBytes: number;
  publishBytes: number;
}

async function audienceRow(dynamoEndpoint: string, audienceSize: number): Promise<AudienceResult> {
  const proxy = await countingProxy(dynamoEndpoint);
  const sandbox = await startProjectSandbox({ dynamoEndpoint: proxy.endpoint, port: 0, tableName: `bench-audience-${audienceSize}`, logLevel: 'warn', latency: LATENCY, fanout: await mappingShape() });
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: sandbox.sqsEndpoint, credentials });
  const management = new ApiGatewayManagementApiClient({ endpoint: sandbox.managementEndpoint, region: 'us-east-1', credentials });
  const channel = `room-${audienceSize}`;
  try {
    const audience = await open(sandbox.url, audienceSize, channel);
    const queue = sandbox.queues.get(FANOUT_QUEUE)!;
    const publisher = createPublisher({ queueUrl: queue.url, client: sqs });
    const data = (n: number) => ({ n, text: 'x'.repeat(64) });
    // One publish first, unmeasured: the fanout function's cold start is not what is compared.
    await publisher.publish(channel, data(0));
    await audience.until(0);
    await queue.drained();
    proxy.counts.clear();
    const before = read(sandbox, proxy);
    const first: number[] = [];
    const last: number[] = [];
    for (let n = 1; n <= PUBLISHES; n += 1) {
      const started = performance.now();
      await publisher.publish(channel, data(n));
      await audience.until(n);
      const times = audience.receipts.get(n)!;
      first.push(Math.min(...times) - started);
      last.push(Math.max(...times) - started);
    }
    await queue.drained();
    const delta = minus(read(sandbox, proxy), before);
    const requests = new Map(proxy.counts);
    const connectionIds = [...sandbox.gateway.connections.keys()];
    const naive: number[] = [];
    for (let round = 1; round <= NAIVE_ROUNDS; round += 1) {
      const n = PUBLISHES + round;
      const frame = JSON.stringify({ type: 'message', channel, seq: n, id: `naive-${n}`, data: data(n) });
      const started = performance.now();
      for (const connectionId of connectionIds) await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: frame }));
      await audience.until(n);
      naive.push(performance.now() - started);
    }
    await audience.closeAll();
    const publishBytes = Buffer.byteLength(JSON.stringify({ channel, data: data(PUBLISHES) }));
    return { audience: audienceSize, first, last, naive, delta, requests, frameBytes: audience.maxFrameBytes, publishBytes };
  } finally {
    sqs.destroy();
    management.destroy();
    await sandbox.stop();
    proxy.server.close();
  }
}

interface ConnectionResult {
  connect: Counters;
  ping: Counters;
  disconnect: Counters;
  clients: number;
  pings: number;
}

/** Connect, ping and disconnect costs: what holding a connection costs besides its messages. */
async function connectionRow(dynamoEndpoint: string): Promise<ConnectionResult> {
  const clients = 20;
  const pings = 3;
  const proxy = await countingProxy(dynamoEndpoint);
  const sandbox = await startProjectSandbox({ dynamoEndpoint: proxy.endpoint, port: 0, tableName: 'bench-connections', logLevel: 'warn', latency: LATENCY });
  try {
    const start = read(sandbox, proxy);
    const audience = await open(sandbox.url, clients);
    const connected = read(sandbox, proxy);
    for (let round = 0; round < pings; round += 1) {
      await Promise.all(audience.sockets.map((ws) => new Promise((resolve) => ws.once('message', resolve).send('{"action":"ping"}'))));
    }
    const pinged = read(sandbox, proxy);
    await audience.closeAll();
    // $disconnect runs after the socket closes: wait until every one has been invoked, then until
    // DynamoDB has been quiet for a second (a loaded machine runs them late).
    const disconnect = sandbox.functions.get('disconnect')!;
    const deadline = Date.now() + 60_000;
    while (disconnect.invocations < clients && Date.now() < deadline) await sleep(20);
    for (let seen = -1; seen !== total(proxy.counts) && Date.now() < deadline; ) {
      seen = total(proxy.counts);
      await sleep(1000);
    }
    const done = read(sandbox, proxy);
    return { connect: minus(connected, start), ping: minus(pinged, connected), disconnect: minus(done, pinged), clients, pings };
  } finally {
    await sandbox.stop();
    proxy.server.close();
  }
}

/** Sequential single-item updates per second on DynamoDB Local: the one-item write limit. */
async function singleItemRate(dynamoEndpoint: string): Promise<number> {
  const client = new DynamoDBClient({ endpoint: dynamoEndpoint, region: 'us-east-1', credentials });
  const sandboxTable = 'bench-hot';
  const count = 400;
  try {
    const update = () =>
      client.send(
        new UpdateItemCommand({ TableName: sandboxTable, Key: { PK: { S: 'BENCH#counter' }, SK: { S: 'ITEM' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }),
      );
    for (let i = 0; i < 20; i += 1) await update();
    const started = performance.now();
    for (let i = 0; i < count; i += 1) await update();
    return count / ((performance.now() - started) / 1000);
  } finally {
    client.destroy();
  }
}

/** Publishes/s end to end, `perChannel` publishes to each of `channels` channels with one subscriber each. */
async function hotRate(sandbox: Sandbox, sqs: SQSClient, channels: number, perChannel: number, tag: string): Promise<number> {
  const names = Array.from({ length: channels }, (_, k) => `${tag}-${k}`);
  const audiences = await Promise.all(names.map((name) => open(sandbox.url, 1, name)));
  const queue = sandbox.queues.get(FANOUT_QUEUE)!;
  const publisher = createPublisher({ queueUrl: queue.url, client: sqs });
  await Promise.all(names.map((name) => publisher.publish(name, { n: 0 })));
  await Promise.all(audiences.map((audience) => audience.until(0)));
  const started = performance.now();
  await Promise.all(names.flatMap((name) => Array.from({ length: perChannel }, (_, n) => publisher.publish(name, { n: n + 1 }))));
  await Promise.all(audiences.map((audience) => audience.until(perChannel)));
  const rate = (channels * perChannel) / ((performance.now() - started) / 1000);
  await Promise.all(audiences.map((audience) => audience.closeAll()));
  return rate;
}

async function hotRow(dynamoEndpoint: string): Promise<{ single: number; hot: number; spread: number }> {
  const sandbox = await startProjectSandbox({ dynamoEndpoint, port: 0, tableName: 'bench-hot', logLevel: 'warn', fanout: await mappingShape() });
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: sandbox.sqsEndpoint, credentials });
  try {
    const single = await singleItemRate(dynamoEndpoint);
    const hot = await hotRate(sandbox, sqs, 1, HOT_PUBLISHES, 'hot');
    const spread = await hotRate(sandbox, sqs, HOT_CHANNELS, Math.ceil(HOT_PUBLISHES / 4), 'spread');
    return { single, hot, spread };
  } finally {
    sqs.destroy();
    await sandbox.stop();
  }
}

/** One line of the summary: a measure, its figure, its aim and whether it meets it. */
interface Row {
  measure: string;
  value: string;
  aim: string;
  met: boolean;
}

const money = (dollars: number): string => `$${dollars.toFixed(dollars < 1 ? 4 : 2)}`;

/** The receipt times and requests of one audience, printed as soon as it is measured. */
function receiptLine(r: AudienceResult): void {
  const timeRatio = median(r.last) / median(r.naive);
  console.log(
    `${String(r.audience).padStart(8)}   ${median(r.first).toFixed(0).padStart(6)} ms   ${percentile(r.first, 0.99).toFixed(0).padStart(6)} ms   ${median(r.last).toFixed(0).padStart(5)} ms   ${percentile(r.last, 0.99)
      .toFixed(0)
      .padStart(5)} ms   ${median(r.naive).toFixed(0).padStart(14)} ms   ${timeRatio.toFixed(2).padStart(20)}×   ${(r.delta.dynamoRequests / PUBLISHES).toFixed(2).padStart(10)} (${(r.delta.readUnits / PUBLISHES).toFixed(1)}/${(
      r.delta.writeUnits / PUBLISHES
    ).toFixed(1)})   ${((r.delta.sqsCalls + 2 * r.delta.esmBatches) / PUBLISHES).toFixed(2).padStart(7)}   ${(r.delta.invocations / PUBLISHES).toFixed(2)} (${(r.delta.billedMs / PUBLISHES).toFixed(0)})`,
  );
  console.log(`           (${PUBLISHES} publishes one at a time, ${NAIVE_ROUNDS} naive rounds; DynamoDB: ${describe(r.requests)})`);
}

function receiptHeader(): void {
  const modelled = Object.entries(LATENCY)
    .map(([service, ms]) => `${service} ${ms} ms`)
    .join(', ');
  console.log(`\nPublish → receipt through the fan-out path, modelled round trips: ${modelled} (BENCH_LATENCY_MS)`);
  console.log('audience   first p50   first p99   last p50   last p99   naive loop (median)   fan-out ÷ naive (time)   DynamoDB req/publish (units R/W)   SQS req   λ inv (billed ms)');
}

function audienceReport(results: AudienceResult[], prices: Prices, shape: { memoryMb: number; architecture: 'x86_64' | 'arm64' }): Row[] {
  const rows: Row[] = [];
  console.log(`\nCost per million delivered messages (us-east-1 list prices of ${prices.date}, scripts/prices.json; Lambda ${shape.memoryMb} MB ${shape.architecture} from the module's defaults)`);
  console.log('audience   total      API GW msgs   λ          DynamoDB   SQS        beyond API GW   AppSync Events');
  for (const r of results) {
    const deliveries = PUBLISHES * r.audience;
    const cost = costOf(usageOf(r.delta, r.delta.posts * billedUnits(r.frameBytes, prices.apiGatewayWebSocket.messageBillingBytes), shape), prices);
    const appSync = appSyncEventsCost({ publishes: PUBLISHES, publishBytes: r.publishBytes, deliveries, deliveryBytes: r.frameBytes, connectionMinutes: 0 }, prices);
    const per = (dollars: number) => money(perMillion(dollars, deliveries)).padEnd(10);
    const beyond = beyondApiGateway(cost);
    console.log(
      `${String(r.audience).padStart(8)}   ${per(cost.total)} ${per(cost.apiGatewayMessages)}    ${per(cost.lambda)} ${per(cost.dynamodb)} ${per(cost.sqs)} ${`${(beyond * 100).toFixed(0)} %`.padStart(13)}   ${per(appSync)}`,
    );
    if (r.audience === 20 || r.audience === 2000) rows.push({ measure: `cost beyond API Gateway's own charge, audience ${r.audience}`, value: `${(beyond * 100).toFixed(0)} %`, aim: r.audience === 20 ? '≤ 25 %' : '≤ 5 %', met: beyond <= (r.audience === 20 ? 0.25 : 0.05) });
  }

  for (const r of results) {
    const perPublish = r.delta.dynamoRequests / PUBLISHES;
    if (r.audience === 20) {
      rows.push({ measure: 'DynamoDB requests per publish to 20 connections', value: perPublish.toFixed(2), aim: '≤ 4', met: perPublish <= 4 });
      const ratio = median(r.last) / median(r.naive);
      rows.push({ measure: 'time to reach all 20, fan-out ÷ naive loop (modelled latencies)', value: `${ratio.toFixed(2)}×`, aim: '≤ 1.0×', met: ratio <= 1 });
    }
    if (r.audience === 2000) {
      const perFrame = perPublish / 2000;
      rows.push({ measure: 'DynamoDB requests per publish to 2,000 (per delivered frame)', value: `${perPublish.toFixed(1)} (${perFrame.toFixed(4)})`, aim: '≤ 20 (0.01)', met: perPublish <= 20 });
      const speedup = median(r.naive) / median(r.last);
      rows.push({ measure: 'reach 2,000: naive loop time ÷ fan-out time (modelled latencies)', value: `${speedup.toFixed(1)}×`, aim: '≥ 20×', met: speedup >= 20 });
    }
  }
  return rows;
}

function connectionReport(result: ConnectionResult, prices: Prices, shape: { memoryMb: number; architecture: 'x86_64' | 'arm64' }): void {
  const manifest = JSON.parse(readFileSync(path.join(DIST, 'manifest.json'), 'utf8')) as { message: { settings: Array<{ name: string; default?: unknown }> } };
  const heartbeatSeconds = Number(manifest.message.settings.find((setting) => setting.name === 'SESSION_HEARTBEAT_SECONDS')?.default);
  // Per connection: its connect and disconnect; per ping: the message in, the pong out.
  const perConnection = (costOf(usageOf(result.connect, 0, shape), prices).total + costOf(usageOf(result.disconnect, 0, shape), prices).total) / result.clients;
  const perPing = costOf(usageOf(result.ping, 2 * result.clients * result.pings, shape), prices).total / (result.clients * result.pings);
  const pingsPerMinute = 60 / heartbeatSeconds;
  const perMinute = prices.apiGatewayWebSocket.connectionMinutePerMillion / 1e6 + pingsPerMinute * perPing + perConnection / SESSION_MINUTES;
  const appSync = (prices.appSyncEvents.connectionMinutePerMillion + (2 * prices.appSyncEvents.operationPerMillion) / SESSION_MINUTES) / 1e6;
  console.log(`\nCost per million connection-minutes (a ${SESSION_MINUTES}-minute connection, BENCH_SESSION_MINUTES; a ping every ${heartbeatSeconds} s when quiet, SESSION_HEARTBEAT_SECONDS)`);
  console.log(`  this stack          ${money(perMinute * 1e6)}   (API Gateway ${money(prices.apiGatewayWebSocket.connectionMinutePerMillion)}, heartbeats ${money(pingsPerMinute * perPing * 1e6)}, connect + disconnect ${money((perConnection / SESSION_MINUTES) * 1e6)})`);
  console.log(`  AppSync Events      ${money(appSync * 1e6)}   (connection-minutes, a connect and a subscribe per connection)`);
  console.log(
    `  per connect + disconnect: DynamoDB ${((result.connect.dynamoRequests + result.disconnect.dynamoRequests) / result.clients).toFixed(1)} requests, λ ${((result.connect.invocations + result.disconnect.invocations) / result.clients).toFixed(1)} invocations; per ping: DynamoDB ${(result.ping.dynamoRequests / (result.clients * result.pings)).toFixed(1)} requests`,
  );
}

export async function benchFanout(): Promise<void> {
  const prices = loadPrices();
  const shape = await lambdaShape();
  const dynamo = await startDynamoLocal();
  const rows: Row[] = [];
  try {
    if (ROWS.includes('audiences')) {
      const results: AudienceResult[] = [];
      receiptHeader();
      for (const audience of AUDIENCES) {
        results.push(await audienceRow(dynamo.endpoint, audience));
        receiptLine(results.at(-1)!);
      }
      rows.push(...audienceReport(results, prices, shape));
    }
    if (ROWS.includes('connections')) connectionReport(await connectionRow(dynamo.endpoint), prices, shape);
    if (ROWS.includes('hot')) {
      const { single, hot, spread } = await hotRow(dynamo.endpoint);
      console.log(`\nHot channels at loopback speed: sequential single-item updates on DynamoDB Local ${single.toFixed(0)}/s (the baseline)`);
      console.log(`  one channel, one subscriber, ${HOT_PUBLISHES} publishes: ${hot.toFixed(0)}/s;  ${HOT_CHANNELS} channels, ${Math.ceil(HOT_PUBLISHES / 4)} each: ${spread.toFixed(0)}/s`);
      rows.push({ measure: "one hot channel's publishes/s ÷ single-item updates/s", value: `${(hot / single).toFixed(2)} (${hot.toFixed(0)} vs ${single.toFixed(0)})`, aim: '≥ 1.0', met: hot / single >= 1 });
      rows.push({ measure: `${HOT_CHANNELS} channels' publishes/s ÷ single-item updates/s`, value: `${(spread / single).toFixed(2)} (${spread.toFixed(0)} vs ${single.toFixed(0)})`, aim: '≥ 2.0', met: spread / single >= 2 });
    }
  } finally {
    await dynamo.stop();
  }
  if (rows.length > 0) {
    console.log('\nFan-out against its aims');
    for (const row of rows) console.log(`  ${row.met ? 'ok  ' : 'MISS'}  ${row.measure.padEnd(66)} ${row.value.padStart(18)}   aim ${row.aim}`);
  }
}

if (require.main === module) {
  benchFanout().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
