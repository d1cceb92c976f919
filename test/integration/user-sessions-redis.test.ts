/**
 * The Redis provider on a real redis-server (started per file on a free port): read-through hits and
 * misses, never older over newer, and Redis down (stopped) or hung (SIGSTOP, data kept): every read
 * answers from DynamoDB, every write lands there, no error reaches the caller, and once Redis is back
 * nothing stale is served.
 */
import Redis from 'ioredis';
import { createTestTable } from '../helpers/dynamo';
import { cuttableLink, startRedis, type RedisServer } from '../helpers/redis';
import { device, testSessionService } from '../helpers/user-sessions';
import { createRedisCache, type SessionService } from '../../packages/sessions/src';

let redis: RedisServer;
let tableName: string;
const timeoutMs = 150;
const services: SessionService[] = [];

/** A service with the Redis provider: one per "Lambda container". */
function redisService(redisUrl = redis.url): SessionService {
  const { service } = testSessionService(tableName, { settings: { cache: 'redis', redisUrl, redisTimeoutMs: timeoutMs, cacheTtlSeconds: 300 } });
  services.push(service);
  return service;
}

/** Waits until the service reaches Redis again (it reconnects on its own). */
async function untilCacheHealthy(service: SessionService): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await service.health()).cache.ok) {
    if (Date.now() > deadline) throw new Error('the service did not reach Redis again within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  redis = await startRedis();
  tableName = await createTestTable('user-sessions-redis');
});
afterAll(async () => {
  await Promise.all(services.map((service) => service.close()));
  await redis.stop();
});

let users = 0;
const newUser = (): string => `redis-user-${(users += 1)}`;

describe('the Redis session cache', () => {
  it('serves a read from Redis after a write, reads through on a miss, and counts both', async () => {
    const service = redisService();
    await untilCacheHealthy(service);
    const { session } = await service.create({ userId: newUser(), email: 'a@example.com', device });
    const before = service.metrics();
    expect(await service.get(session)).toEqual(session);
    expect(service.metrics().SessionCacheHits).toBe(before.SessionCacheHits + 1);
    const flush = new Redis(redis.url);
    await flush.flushall();
    flush.disconnect();
    expect(await service.get(session)).toEqual(session);
    expect(service.metrics().SessionCacheMisses).toBe(before.SessionCacheMisses + 1);
    expect(await service.get(session)).toEqual(session);
    expect(service.metrics().SessionCacheHits).toBe(before.SessionCacheHits + 2);
    service.flushMetrics();
  });

  it('serves every update and a delete to the other instances at once', async () => {
    const a = redisService();
    const b = redisService();
    await untilCacheHealthy(a);
    await untilCacheHealthy(b);
    const { session } = await a.create({ userId: newUser(), email: 'a@example.com' });
    expect(await b.get(session)).toEqual(session);
    const trusted = await a.trustDevice(session);
    expect(await b.get(session)).toEqual(trusted);
    await a.delete(session);
    expect(await b.get(session)).toBeUndefined();
  });

  it('never replaces a newer version with an older one, nor brings a deleted session back', async () => {
    const cache = createRedisCache({ url: redis.url, timeoutMs: 1000, cacheTtlSeconds: 60 });
    const service = redisService();
    await untilCacheHealthy(service);
    try {
      const { session } = await service.create({ userId: newUser(), email: 'a@example.com' });
      const renewed = await service.renew(session);
      await cache.put(session); // a slow read-through fill of version 1 arriving late
      expect(await service.get(session)).toEqual(renewed);
      await service.delete(session);
      await cache.put(renewed);
      expect(await cache.get(session)).toEqual({ status: 'hit', session: null });
      expect(await service.get(session)).toBeUndefined();
    } finally {
      await cache.close();
    }
  });

  it('answers every read and lands every write in DynamoDB while Redis is down, then serves nothing stale', async () => {
    const service = redisService();
    const dynamoOnly = testSessionService(tableName).service;
    await untilCacheHealthy(service);
    const userId = newUser();
    const { session: kept, refreshToken } = await service.create({ userId, email: 'a@example.com' });
    const changed = (await service.create({ userId, email: 'a@example.com' })).session;
    const removed = (await service.create({ userId, email: 'a@example.com' })).session;
    expect(await service.get(changed)).toEqual(changed);

    await redis.stop();
    const errorsBefore = service.metrics().SessionCacheErrors;
    expect(await service.get(kept)).toEqual(kept);
    expect(await service.getByRefreshToken(refreshToken)).toEqual(kept);
    const trusted = await service.trustDevice(changed);
    expect(await dynamoOnly.get(changed)).toEqual(trusted);
    expect(await service.delete(removed)).toEqual(removed);
    expect(await dynamoOnly.get(removed)).toBeUndefined();
    const created = await service.create({ userId, email: 'a@example.com' });
    expect(await dynamoOnly.get(created.session)).toEqual(created.session);
    expect(await service.get(changed)).toEqual(trusted);
    expect(await service.list(userId)).toHaveLength(3);
    expect(service.metrics().SessionCacheErrors).toBeGreaterThan(errorsBefore);
    expect(await service.health()).toMatchObject({ ok: true, dynamodb: { ok: true }, cache: { provider: 'redis', ok: false } });

    await redis.start();
    await untilCacheHealthy(service);
    expect(await service.get(changed)).toEqual(trusted);
    expect(await service.get(removed)).toBeUndefined();
    expect(await service.get(created.session)).toEqual(created.session);
  });

  it('answers reads and lands writes while Redis hangs (SIGSTOP), each Redis command cut at the timeout', async () => {
    const service = redisService();
    const dynamoOnly = testSessionService(tableName).service;
    await untilCacheHealthy(service);
    const { session } = await service.create({ userId: newUser(), email: 'a@example.com' });
    redis.pause();
    let trusted;
    try {
      expect(await service.get(session)).toEqual(session);
      trusted = await service.trustDevice(session);
      expect(await dynamoOnly.get(session)).toEqual(trusted);
      expect(await service.get(session)).toEqual(trusted);
    } finally {
      redis.resume();
    }
    await untilCacheHealthy(service);
    expect(await service.get(session)).toEqual(trusted);
  });

  it('serves nothing stale once an instance whose write could not reach Redis (which kept its data) reaches it again', async () => {
    const link = await cuttableLink(redis.port);
    const writer = redisService(link.url);
    const reader = redisService();
    try {
      await untilCacheHealthy(writer);
      await untilCacheHealthy(reader);
      const userId = newUser();
      const { session } = await writer.create({ userId, email: 'a@example.com' });
      const other = (await writer.create({ userId, email: 'a@example.com' })).session;
      expect(await reader.get(session)).toEqual(session);
      expect(await reader.get(other)).toEqual(other);

      link.cut();
      const trusted = await writer.trustDevice(session); // lands in DynamoDB; Redis still holds version 1
      expect(await writer.delete(other)).toEqual(other);
      expect(await writer.get(session)).toEqual(trusted);
      link.restore();

      await untilCacheHealthy(writer);
      expect(await reader.get(session)).toEqual(trusted);
      expect(await reader.get(other)).toBeUndefined();
      expect(await writer.get(session)).toEqual(trusted);
    } finally {
      await link.close();
    }
  });
});
