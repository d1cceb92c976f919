/**
 * The cost of the authorizer's `sid` check (functions/lib/auth/session-check.ts), on DynamoDB Local,
 * each figure against a baseline measured in the same run:
 *
 * 1. Authorize = verify an HS256 token (verifyJwt, key prepared once), then check its session: without
 *    the check (the baseline), with the check and its answer cache (JWT_SESSION_CACHE_SECONDS=5), and
 *    with no answer kept (0: a GetItem every time). Mean time per authorize and the ratio to the baseline.
 * 2. The cache's hit rate for a workload of 2,000 authorizes spread over 100 live sessions, in random
 *    order, at the speed the loop runs (a fixed clock would flatter it; the real one is used).
 *
 * Run with `npx tsx scripts/bench-session-check.ts` (about 10 s plus DynamoDB Local's start).
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import jsonwebtoken from 'jsonwebtoken';
import { verifyJwt, type JwtSettings } from '../functions/lib/auth/jwt';
import { createStaticKeyResolver } from '../functions/lib/auth/keys';
import { createSessionCheck, type SessionCheck } from '../functions/lib/auth/session-check';
import { createDocumentClient } from '../functions/lib/store/dynamo';
import { createSessionLookup, createSessionService } from '../packages/sessions/src';
import { startDynamoLocal } from '../sandbox/dynamo-local';
import { ensureTable } from '../sandbox/table';

const SESSIONS = 100;
const AUTHORIZES = 2_000;
const ROUNDS = 4;

export async function benchSessionCheck(): Promise<void> {
  const dynamo = await startDynamoLocal();
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const tableName = 'bench-session-check';
  try {
    await ensureTable(client, tableName);
    const service = createSessionService({ tableName, client, log: () => undefined });
    const secret = randomBytes(32).toString('hex');
    const now = Math.floor(Date.now() / 1000);
    const tokens: string[] = [];
    for (let n = 0; n < SESSIONS; n += 1) {
      const { session } = await service.create({ userId: `bench-${n}`, email: 'bench@example.com' });
      tokens.push(jsonwebtoken.sign({ sub: session.userId, sid: session.sessionId, iat: now, exp: now + 600 }, secret, { algorithm: 'HS256' }));
    }
    const settings: JwtSettings = { algorithms: ['HS256'], clockToleranceSeconds: 5, maxLifetimeSeconds: 3600, maxTokenLength: 8192, claims: { userId: 'sub', sessionId: 'sid' } };
    const keys = createStaticKeyResolver({ algorithm: 'HS256', material: secret });
    const lookup = createSessionLookup({ tableName, client: createDocumentClient(client) });
    const check = (cacheSeconds: number) => createSessionCheck({ check: true, requireSessionId: true, cacheSeconds, cacheSize: 10_000 }, lookup);
    const authorize = async (token: string, sessionCheck?: SessionCheck) => {
      const result = await verifyJwt(token, settings, keys);
      if (!result.ok) throw new Error(`bench setup: ${result.reason}`);
      if (sessionCheck && !(await sessionCheck(result.identity)).ok) throw new Error('bench setup: a live session was refused');
    };
    const order = Array.from({ length: AUTHORIZES }, () => tokens[Math.floor(Math.random() * SESSIONS)]!);

    const variants: Array<{ label: string; make: () => SessionCheck | undefined; ms: number; last?: SessionCheck }> = [
      { label: 'no sid check (baseline)', make: () => undefined, ms: 0 },
      { label: 'sid check, answers kept 5 s', make: () => check(5), ms: 0 },
      { label: 'sid check, no answer kept', make: () => check(0), ms: 0 },
    ];
    // Interleaved rounds, so every variant shares the machine's noise; a fresh check (empty cache) each round.
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const variant of variants) {
        const sessionCheck = variant.make();
        const started = performance.now();
        for (const token of order) await authorize(token, sessionCheck);
        variant.ms += performance.now() - started;
        variant.last = sessionCheck;
      }
    }
    const perAuthorize = (ms: number) => (ms * 1000) / (ROUNDS * AUTHORIZES);
    const baseline = perAuthorize(variants[0]!.ms);
    console.log(`\nAuthorizer sid check (${AUTHORIZES} authorizes over ${SESSIONS} sessions, ${ROUNDS} interleaved rounds, DynamoDB Local)`);
    for (const { label, ms, last } of variants) {
      const stats = last?.stats();
      const hitRate = stats ? ` hit rate ${((100 * stats.hits) / (stats.hits + stats.misses)).toFixed(1)} %` : '';
      console.log(`  ${label.padEnd(30)} ${perAuthorize(ms).toFixed(1).padStart(8)} µs per authorize   ${(perAuthorize(ms) / baseline).toFixed(2)}× the baseline${hitRate}`);
    }
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

if (require.main === module) {
  benchSessionCheck().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
