/**
 * The per-user limit under races: seeded rounds of up to 20 concurrent creates for one user, with
 * renewals and deletes of those sessions mixed in, on DynamoDB Local. After each round: never more
 * than the limit live, the roster agrees with the sessions, every session is live, evicted once or
 * deleted, and the evicted ones were the least recently used. At the end: no refresh-token item
 * without its live session. SESSIONS_RACE_SEED and SESSIONS_RACE_ROUNDS override the defaults.
 */
import fc from 'fast-check';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { allItems, createTestTable, documentClient } from '../helpers/dynamo';
import { testSessionService } from '../helpers/user-sessions';
import { SessionNotFoundError, type SessionService, type UserSession } from '../../packages/sessions/src';
import { userSessionRosterKey } from '../../packages/contract/src/table-keys';

const LIMIT = 3;
const SEED = Number(process.env.SESSIONS_RACE_SEED ?? 20_261_130);
const ROUNDS = Number(process.env.SESSIONS_RACE_ROUNDS ?? 1000);
/** Rounds run at once, each for its own user (the property is per user). */
const PARALLEL = 6;

type Op = { kind: 'create' } | { kind: 'renew' | 'delete'; target: number };
/**
 * Creates per round: up to 20, mostly a few (DynamoDB Local commits one transaction in tens of
 * milliseconds on a loaded machine; a round of 20 costs as much as several small ones), always past
 * the limit often enough that most rounds evict.
 */
const creates = fc.oneof({ arbitrary: fc.integer({ min: 2, max: 6 }), weight: 19 }, { arbitrary: fc.integer({ min: 7, max: 20 }), weight: 1 });
const round = creates.chain((creates) =>
    fc
      .array(fc.record({ kind: fc.constantFrom('renew' as const, 'delete' as const), target: fc.nat({ max: creates - 1 }) }), { maxLength: 4 })
      .chain((others) => fc.shuffledSubarray([...Array.from({ length: creates }, (): Op => ({ kind: 'create' })), ...others], { minLength: creates + others.length })),
  );

let tableName: string;
let service: SessionService;
/**
 * The service's clock, strictly increasing, so every use has its own time and the order of two times
 * is the order in which they were read. The test reads it too, when an operation returns.
 */
let last = 0;
const clock = (): number => (last = Math.max(last + 1, Date.now()));

beforeAll(async () => {
  tableName = await createTestTable('user-sessions-race');
  ({ service } = testSessionService(tableName, { settings: { maxSessionsPerUser: LIMIT }, nowMs: clock }));
});

async function runRound(ops: Op[], userId: string): Promise<void> {
  const createOps = ops.filter((op) => op.kind === 'create');
  const created: Array<Promise<{ session: UserSession; evicted: UserSession[] }>> = [];
  /** lastUsedAt → the clock when the operation that set it had returned (its write committed before). */
  const doneAt = new Map<number, number>();
  const deleted: string[] = [];
  let createIndex = 0;
  const tasks = ops.map(async (op) => {
    if (op.kind === 'create') {
      const index = createIndex++;
      created[index] = service.create({ userId, email: `${userId}@example.com` }).then((result) => {
        doneAt.set(result.session.lastUsedAt, clock());
        return result;
      });
      return created[index];
    }
    await Promise.resolve();
    const target = (await created[op.target % createOps.length])?.session;
    if (!target) return undefined;
    if (op.kind === 'delete') {
      if (await service.delete(target)) deleted.push(target.sessionId);
      return undefined;
    }
    try {
      const renewed = await service.renew(target);
      doneAt.set(renewed.lastUsedAt, clock());
    } catch (error) {
      if (!(error instanceof SessionNotFoundError)) throw error;
    }
    return undefined;
  });
  await Promise.all(tasks);
  const results = await Promise.all(created);

  const live = await service.list(userId);
  expect(live.length).toBeLessThanOrEqual(LIMIT);
  const { Item: roster } = await documentClient().send(new GetCommand({ TableName: tableName, Key: userSessionRosterKey(userId), ConsistentRead: true }));
  const rosterIds = Object.keys(roster ?? {})
    .filter((name) => name.startsWith('S#'))
    .map((name) => name.slice(2))
    .sort();
  expect(rosterIds).toEqual(live.map((s) => s.sessionId).sort());
  expect(roster?.count).toBe(live.length);

  // Every session created is exactly one of: live, evicted (by one create), deleted.
  const evicted = results.flatMap((result) => result.evicted.map((session) => ({ session, by: result.session })));
  const fates = [...live.map((s) => s.sessionId), ...evicted.map((e) => e.session.sessionId), ...deleted].sort();
  expect(fates).toEqual(results.map((r) => r.session.sessionId).sort());

  // The evicted were the least recently used. A session that outlived an eviction and was last used
  // before the evicted one must have got that use committed after the eviction: had it been in the
  // roster then, it would have been evicted instead. So the operation that gave it that use returned
  // after the evicting create read its clock (its new session's createdAt); one that had returned
  // before proves a wrong choice.
  for (const { session: gone, by } of evicted) {
    for (const survivor of live) {
      if (survivor.lastUsedAt > gone.lastUsedAt) continue;
      const usedUntil = doneAt.get(survivor.lastUsedAt) ?? -1;
      expect({ survivor: survivor.sessionId, evicted: gone.sessionId, usedCommittedAfterEviction: usedUntil > by.createdAt }).toEqual({
        survivor: survivor.sessionId,
        evicted: gone.sessionId,
        usedCommittedAfterEviction: true,
      });
    }
  }
}

describe('user sessions under concurrent creates', () => {
  it(`never holds more than the limit, evicts the least recently used and leaves no orphaned refresh token (${ROUNDS} seeded rounds)`, async () => {
    const rounds = fc.sample(round, { seed: SEED, numRuns: ROUNDS });
    const started = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < rounds.length) {
        const index = next++;
        try {
          await runRound(rounds[index]!, `race-${index}`);
        } catch (error) {
          throw new Error(`round ${index} (seed ${SEED}) failed: ${JSON.stringify(rounds[index])}`, { cause: error });
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const tookMs = Date.now() - started;

    const items = await allItems(tableName);
    const sessions = new Map(items.filter((item) => String(item.SK).startsWith('USERSESSION#')).map((item) => [item.sessionId as string, item]));
    const tokens = items.filter((item) => String(item.PK).startsWith('REFRESH#'));
    for (const token of tokens) {
      const owner = sessions.get(token.sessionId as string);
      expect(owner).toBeDefined();
      // No round refreshes, so each session owns exactly its current token.
      expect(String(token.PK).slice('REFRESH#'.length)).toBe(owner!.refreshTokenHash);
    }
    expect(tokens.length).toBe(sessions.size);
    const total = rounds.reduce((sum, ops) => sum + ops.filter((op) => op.kind === 'create').length, 0);
    const largest = Math.max(...rounds.map((ops) => ops.filter((op) => op.kind === 'create').length));
    process.stdout.write(`user-sessions race: ${ROUNDS} rounds, ${total} creates (at most ${largest} at once), ${service.metrics().SessionsEvicted} evictions, ${service.metrics().SessionConflictsRetried} retries in ${tookMs} ms\n`);
  }, 600_000);
});
