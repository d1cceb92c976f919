/**
 * JWT verification speed, each figure against a baseline measured in the same run (about 10 s):
 *
 * 1. verifyJwt with KeyObjects prepared once (what the authorizer does) against jsonwebtoken.verify fed
 *    the raw secret string / PEM on every call (what a naive handler does), for HS256, RS256 and ES256.
 * 2. The cost of rejecting garbage (a malformed token, an alg-none token) before any crypto, as
 *    rejections per second and as a multiple of one HS256 verification.
 *
 * Run alone with `npx tsx scripts/bench-auth.ts`; scripts/bench.ts calls benchAuth().
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import { verifyJwt, type JwtAlgorithm, type JwtResult, type JwtSettings, type KeyResolver } from '../functions/lib/auth/jwt';
import { createStaticKeyResolver } from '../functions/lib/auth/keys';

const BUDGET_MS = Number(process.env.BENCH_AUTH_MS ?? 1500);
const ROUNDS = 4;
const BATCH = 64;

type Operation = () => unknown;
interface Sample {
  ops: number;
  ns: bigint;
}

/** Operations per second of `a` and `b`, measured in alternating slices so both share the machine's noise. */
async function compare(a: Operation, b: Operation, budgetMs: number): Promise<[number, number]> {
  const totals: [Sample, Sample] = [
    { ops: 0, ns: 0n },
    { ops: 0, ns: 0n },
  ];
  for (const operation of [a, b]) for (let i = 0; i < 200; i += 1) await operation();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [index, operation] of [a, b].entries()) {
      const total = totals[index as 0 | 1];
      const started = process.hrtime.bigint();
      const deadline = started + BigInt(Math.round((budgetMs / ROUNDS / 2) * 1e6));
      let now = started;
      while (now < deadline) {
        for (let i = 0; i < BATCH; i += 1) await operation();
        total.ops += BATCH;
        now = process.hrtime.bigint();
      }
      total.ns += now - started;
    }
  }
  return [rate(totals[0]), rate(totals[1])];
}

const rate = ({ ops, ns }: Sample): number => (ops * 1e9) / Number(ns);
const format = (perSecond: number): string => Math.round(perSecond).toLocaleString('en-US').padStart(11);

function expectResult(result: JwtResult, expected: 'ok' | string): void {
  const got = result.ok ? 'ok' : result.reason;
  if (got !== expected) throw new Error(`bench setup: expected ${expected}, got ${got}`);
}

export async function benchAuth(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const payload = { sub: 'bench-user', tenant_id: 'bench', roles: ['reader'], iat: now - 5, exp: now + 600 };
  const secret = randomBytes(32).toString('hex');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = (key: typeof rsa.publicKey) => key.export({ type: 'spki', format: 'pem' }).toString();

  const cases: { alg: JwtAlgorithm; token: string; raw: string; keys: KeyResolver }[] = [
    { alg: 'HS256', token: jsonwebtoken.sign(payload, secret, { algorithm: 'HS256' }), raw: secret, keys: createStaticKeyResolver({ algorithm: 'HS256', material: secret }) },
    { alg: 'RS256', token: jsonwebtoken.sign(payload, rsa.privateKey, { algorithm: 'RS256' }), raw: pem(rsa.publicKey), keys: createStaticKeyResolver({ algorithm: 'RS256', material: pem(rsa.publicKey) }) },
    { alg: 'ES256', token: jsonwebtoken.sign(payload, ec.privateKey, { algorithm: 'ES256' }), raw: pem(ec.publicKey), keys: createStaticKeyResolver({ algorithm: 'ES256', material: pem(ec.publicKey) }) },
  ];
  const settingsFor = (alg: JwtAlgorithm): JwtSettings => ({
    algorithms: [alg],
    clockToleranceSeconds: 5,
    maxLifetimeSeconds: 3600,
    maxTokenLength: 8192,
    claims: { userId: 'sub', tenantId: 'tenant_id', roles: 'roles', sessionId: 'sid' },
  });

  console.log(`\nJWT verification (verifications/s, ${(BUDGET_MS / 1000).toFixed(1)} s per pair, interleaved)`);
  console.log('alg      verifyJwt, KeyObject once   jsonwebtoken.verify, raw key per call   ratio');
  for (const { alg, token, raw, keys } of cases) {
    const settings = settingsFor(alg);
    expectResult(await verifyJwt(token, settings, keys, now), 'ok');
    jsonwebtoken.verify(token, raw, { algorithms: [alg], clockTimestamp: now });
    const [prepared, naive] = await compare(
      () => verifyJwt(token, settings, keys, now),
      () => jsonwebtoken.verify(token, raw, { algorithms: [alg], clockTimestamp: now }),
      BUDGET_MS,
    );
    console.log(`${alg}    ${format(prepared)}                 ${format(naive)}                             ${(prepared / naive).toFixed(2)}×`);
  }

  const hs = cases[0]!;
  const settings = settingsFor('HS256');
  const [header, body] = hs.token.split('.') as [string, string];
  const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  const garbage = [
    { label: 'malformed (two segments)', token: `${header}.${body}`, reason: 'malformed' },
    { label: 'alg none, unsigned', token: `${noneHeader}.${body}.`, reason: 'malformed' },
    { label: 'alg none, made-up signature', token: `${noneHeader}.${body}.c2lnbmF0dXJl`, reason: 'alg_not_allowed' },
  ];
  console.log('\nRejecting garbage before any crypto (rejections/s, each interleaved with HS256 verifyJwt of a good token)');
  const good = () => verifyJwt(hs.token, settings, hs.keys, now);
  for (const { label, token, reason } of garbage) {
    expectResult(await verifyJwt(token, settings, hs.keys, now), reason);
    const [rejections, verifications] = await compare(() => verifyJwt(token, settings, hs.keys, now), good, BUDGET_MS / 2);
    console.log(`  ${label.padEnd(30)} ${format(rejections)}   ${(rejections / verifications).toFixed(1)}× one HS256 verification   (${reason})`);
  }
}

if (require.main === module) {
  benchAuth().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
