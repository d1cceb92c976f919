/**
 * User-session benchmark (packages/sessions), on DynamoDB Local and a local redis-server, in one run:
 *
 * 1. DynamoDB requests per create (with room; at the limit, evicting), per read (DynamoDB only; Redis
 *    hit; Redis miss) and per refresh, counted by a proxy in front of DynamoDB Local.
 * 2. Session reads through the service with the Redis provider (all hits) against DynamoDB only:
 *    latency (median and p95, one read at a time) and throughput (BENCH_SESSIONS_CONCURRENCY reads in
 *    flight), the two measured in alternating slices so they share the machine's noise.
 *
 * Run alone with `npx tsx scripts/bench-sessions.ts`; scripts/bench.ts calls benchSessions().
 * BENCH_SESSIONS (200 sessions) and BENCH_SESSIONS_MS (3000 ms per measurement) set the sizes.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import Redis from 'ioredis';
import { createSessionService, type SessionService, type UserSession } from '../packages/sessions/src';
import { startDynamoLocal } from '../sandbox/dynamo-local';
import { startRedis } from '../sandbox/redis-server';
import { ensureTable } from '../sandbox/table';
import { countingProxy, describe, total } from './dynamo-counter';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 200);
const BUDGET_MS = Number(process.env.BENCH_SESSIONS_MS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_SESSIONS_CONCURRENCY ?? 16);
const LIMIT = 5;
const SLICES = 6;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
};

/** Runs `read` one at a time for `ms`; the latencies in ms. */
async function serial(read: () => Promise<unknown>, ms: number): Promise<number[]> {
  const latencies: number[] = [];
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const started = performance.now();
    await read();
    latencies.push(performance.now() - started);
  }
  return latencies;
}

/** Runs `read` with `CONCURRENCY` in flight for `ms`; how many completed. */
async function concurrent(read: () => Promise<unknown>, ms: number): Promise<number> {
  let done = 0;
  const deadline = performance.now() + ms;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await read();
        done += 1;
      }
    }),
  );
  return done;
}

async function counted<T>(counts: Map<string, number>, run: () => Promise<T>): Promise<{ value: T; counts: Map<string, number> }> {
  counts.clear();
  const value = await run();
  return { value, counts: new Map(counts) };
}

const perOp = (counts: Map<string, number>, ops: number): string => `${(total(counts) / ops).toFixed(2)}   (${describe(counts)})`;

export async function benchSessions(): Promise<void> {
  const dynamo = await startDynamoLocal();
  const proxy = await countingProxy(dynamo.endpoint);
  const redis = await startRedis();
  const client = new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const tableName = 'bench-sessions';
  await ensureTable(client, tableName);
  const settings = { maxSessionsPerUser: LIMIT, redisTimeoutMs: 500 };
  const quiet = (): void => undefined;
  const dynamoOnly = createSessionService({ tableName, client, settings, log: quiet });
  const cached = createSessionService({ tableName, client, settings: { ...settings, cache: 'redis', redisUrl: redis.url }, log: quiet });
  const admin = new Redis(redis.url);
  try {
    while (!(await cached.health()).cache.ok) await new Promise((resolve) => setTimeout(resolve, 50));
    const created = await counted(proxy.counts, async () => {
      const sessions: Array<{ session: UserSession; refreshToken: string }> = [];
      for (let n = 0; n < SESSIONS; n += 1) sessions.push(await dynamoOnly.create({ userId: `bench-${n}`, email: 'bench@example.com' }));
      return sessions;
    });
    const sessions = created.value.map((result) => result.session);
    const full = 'bench-full';
    for (let n = 0; n < LIMIT; n += 1) await dynamoOnly.create({ userId: full, email: 'bench@example.com' });
    const evicting = await counted(proxy.counts, async () => {
      for (let n = 0; n < SESSIONS; n += 1) await dynamoOnly.create({ userId: full, email: 'bench@example.com' });
    });
    const readAll = (service: SessionService) => async () => {
      for (const session of sessions) await service.get(session);
    };
    const dynamoReads = await counted(proxy.counts, readAll(dynamoOnly));
    await admin.flushall();
    const misses = await counted(proxy.counts, readAll(cached));
    const hits = await counted(proxy.counts, readAll(cached));
    const refreshes = await counted(proxy.counts, async () => {
      for (const { refreshToken } of created.value) await dynamoOnly.refresh(refreshToken);
    });
    // The refreshes rotated tokens and renewed sessions: read them once through the cache again.
    await readAll(cached)();
    const metrics = cached.metrics();

    console.log(`\nUser sessions: DynamoDB requests (${SESSIONS} operations each, counted at DynamoDB Local; per-user limit ${LIMIT})`);
    console.log(`  per create, with room      ${perOp(created.counts, SESSIONS)}   aim: 1 (one transaction)`);
    console.log(`  per create, evicting       ${perOp(evicting.counts, SESSIONS)}   aim: 3 (a refused transaction that returns the full roster, a BatchGetItem of the evicted, one transaction)`);
    console.log(`  per read, DynamoDB only    ${perOp(dynamoReads.counts, SESSIONS)}   aim: 1`);
    console.log(`  per read, Redis miss       ${perOp(misses.counts, SESSIONS)}   aim: 1 (then filled)`);
    console.log(`  per read, Redis hit        ${perOp(hits.counts, SESSIONS)}   aim: 0`);
    console.log(`  per refresh                ${perOp(refreshes.counts, SESSIONS)}   aim: 3 (token, session, one transaction)`);
    console.log(`  cache counters             hits ${metrics.SessionCacheHits}, misses ${metrics.SessionCacheMisses}, errors ${metrics.SessionCacheErrors}`);

    let pick = 0;
    const next = (): UserSession => sessions[(pick = (pick + 1) % sessions.length)]!;
    const latencies = { redis: [] as number[], dynamo: [] as number[] };
    const throughput = { redis: 0, dynamo: 0 };
    for (let slice = 0; slice < SLICES; slice += 1) {
      latencies.dynamo.push(...(await serial(() => dynamoOnly.get(next()), BUDGET_MS / SLICES / 2)));
      latencies.redis.push(...(await serial(() => cached.get(next()), BUDGET_MS / SLICES / 2)));
      throughput.dynamo += await concurrent(() => dynamoOnly.get(next()), BUDGET_MS / SLICES / 2);
      throughput.redis += await concurrent(() => cached.get(next()), BUDGET_MS / SLICES / 2);
    }
    const seconds = BUDGET_MS / 2 / 1000;
    const row = (name: string, values: number[], count: number): string =>
      `  ${name.padEnd(16)} ${percentile(values, 0.5).toFixed(2).padStart(8)} ${percentile(values, 0.95).toFixed(2).padStart(8)} ${(count / seconds).toFixed(0).padStart(10)}`;
    console.log(`\nUser sessions: reads through the service (${SESSIONS} sessions; latency one at a time, throughput ${CONCURRENCY} in flight)`);
    console.log('  provider         p50 ms   p95 ms   reads/s');
    console.log(row('DynamoDB only', latencies.dynamo, throughput.dynamo));
    console.log(row('Redis (hits)', latencies.redis, throughput.redis));
    const latencyRatio = percentile(latencies.dynamo, 0.5) / percentile(latencies.redis, 0.5);
    console.log(`  Redis vs DynamoDB only: ${latencyRatio.toFixed(2)}× faster at the median, ${(throughput.redis / throughput.dynamo).toFixed(2)}× the throughput`);
  } finally {
    admin.disconnect();
    await cached.close();
    await dynamoOnly.close();
    client.destroy();
    proxy.server.close();
    await redis.stop();
    await dynamo.stop();
  }
}

if (require.main === module) {
  benchSessions().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
