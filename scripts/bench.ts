/**
 * npm run bench: speed figures, each against a baseline measured in the same run. BENCH_PARTS picks
 * parts (cold, connections, auth, fanout, resume, client, sessions; default all).
 *
 * 1. Cold path: each bundle's zip size, and the wall time of `node` loading the bundle (Lambda's init
 *    phase: module evaluation, SDK clients created, configuration read) against `node` running an
 *    empty script. Reported as a ratio (aim: ≤ 3×) and sizes (each zip's budget, ≤ 250 KB). Each
 *    function is also built with the AWS SDK left out (`@aws-sdk/*` external, required from
 *    node_modules as the Lambda runtime's copy would be) and measured the same way, in the same runs:
 *    the figures behind bundling the SDK (docs/architecture.md).
 * 2. DynamoDB requests per connect, per message and per disconnect, counted by a proxy in front of
 *    DynamoDB Local while real clients connect, ping and disconnect through the sandbox (aims as
 *    printed: the per-user cap's counter costs a GetItem and a transaction on connect and disconnect).
 * 3. JWT verification (scripts/bench-auth.ts): verifications per second with keys prepared once
 *    against jsonwebtoken fed the raw key per call, and the cost of rejecting garbage before any crypto.
 * 4. Fan-out (scripts/bench-fanout.ts): publish → first and last receipt at audiences 1, 20 and 2,000
 *    with every AWS service's round trip modelled, against a loop awaiting each PostToConnection;
 *    DynamoDB requests per publish; the cost model per million deliveries and per million
 *    connection-minutes beside API Gateway's own charge and AppSync Events; hot channel rates against
 *    single-item updates (BENCH_FANOUT_ROWS runs one row alone).
 * 5. Resume (scripts/bench-resume.ts): reconnect to last replayed message for 100 and 1,000 missed
 *    messages against receiving them live, and DynamoDB requests per reconnect + resume.
 * 6. Client (scripts/bench-client.ts): the client library's minified and gzipped size (aim ≤ 5 KiB)
 *    beside socket.io-client's and centrifuge's, bundled the same way.
 * 7. User sessions (scripts/bench-sessions.ts): session reads through the Redis cache against
 *    DynamoDB only (latency and throughput), and DynamoDB requests per create, read (hit and miss)
 *    and refresh.
 * 8. Eviction (scripts/bench-eviction.ts): from the login that evicts a session to its live socket
 *    closing, p50/p99 over 100 runs, against a `sendToUser` frame reaching the same socket.
 */
import { spawnSync } from 'node:child_process';
import type { Plugin } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startDynamoLocal } from '../sandbox/dynamo-local';
import { startProjectSandbox } from '../sandbox/project';
import { extractZip } from '../sandbox/unzip';
import { benchAuth } from './bench-auth';
import { benchClient } from './bench-client';
import { benchEviction } from './bench-eviction';
import { benchFanout } from './bench-fanout';
import { benchResume } from './bench-resume';
import { benchSessions } from './bench-sessions';
import { countingProxy, describe, total } from './dynamo-counter';
import { buildAll, bundle, FUNCTIONS, ZIP_AIM_BYTES, ZIP_BUDGET_BYTES, zip, type Manifest } from './build';

const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const MESSAGES_PER_CLIENT = 5;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Median wall time, in ms, of `node <script>`, runs interleaved with the baseline to share noise. */
function timeNode(script: string, env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`node ${script} failed: …${result.stderr.toString().slice(-600)}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The AWS SDK as the Lambda runtime carries it: left out of the bundle, `require`d from the runtime's copy. */
const SDK_EXTERNAL = ['@aws-sdk/*'];

async function coldPath(manifest: Manifest): Promise<void> {
  const dir = path.join(os.tmpdir(), 'websocket-sessions-bench');
  const empty = path.join(os.tmpdir(), 'websocket-sessions-bench-empty.js');
  writeFileSync(empty, '');
  const env = {
    ...process.env,
    // The repository's node_modules stands in for the runtime's copy of @aws-sdk/* (external builds).
    NODE_PATH: path.join(ROOT, 'node_modules'),
    TABLE_NAME: 'bench',
    AUTH_MODE: 'anonymous',
    MANAGEMENT_ENDPOINT: 'https://example.execute-api.us-east-1.amazonaws.com/dev',
    FANOUT_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-fanout.fifo',
    FANOUT_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench-fanout-dlq.fifo',
    SESSION_KEY: 'bench-resume-token-key-of-32-characters-or-more',
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  mkdirSync(dir, { recursive: true });
  const loader = (name: string, entry: string): string => {
    const file = path.join(dir, `load-${name}.js`);
    writeFileSync(file, `require(${JSON.stringify(entry)});\n`);
    return file;
  };
  // Each function both ways: as shipped (the SDK bundled) and with the SDK taken from the runtime.
  const loaders: Record<string, { bundled: string; external: string }> = {};
  const externalBytes: Record<string, number> = {};
  for (const name of FUNCTIONS) {
    const extracted = await extractZip(path.join('dist', manifest[name].file));
    const files = await bundle(name, `functions/${name}.ts`, { external: SDK_EXTERNAL });
    externalBytes[name] = (await zip(files)).length;
    const externalDir = path.join(dir, `external-${name}`);
    mkdirSync(externalDir, { recursive: true });
    writeFileSync(path.join(externalDir, 'index.js'), files.get('index.js')!);
    loaders[name] = { bundled: loader(name, path.join(extracted, 'index.js')), external: loader(`${name}-external`, path.join(externalDir, 'index.js')) };
  }
  const samples: Record<string, number[]> = { empty: [] };
  for (let run = 0; run < RUNS; run += 1) {
    samples.empty!.push(timeNode(empty, env));
    for (const name of FUNCTIONS) {
      (samples[name] ??= []).push(timeNode(loaders[name]!.bundled, env));
      (samples[`${name}-external`] ??= []).push(timeNode(loaders[name]!.external, env));
    }
  }
  const baseline = median(samples.empty!);
  console.log(`\nCold path (median of ${RUNS} runs, each a fresh node process; baseline: node running an empty script, ${baseline.toFixed(1)} ms)`);
  console.log('             SDK bundled (as shipped)                        SDK from the runtime (external @aws-sdk/*)');
  console.log('function     zip KiB   budget   load ms   × empty   ≤3×      zip KiB   load ms   × empty');
  const totals = { bundled: 0, external: 0, bundledBytes: 0, externalBytes: 0 };
  for (const name of FUNCTIONS) {
    const entry = manifest[name];
    const load = median(samples[name]!);
    const loadExternal = median(samples[`${name}-external`]!);
    totals.bundled += load;
    totals.external += loadExternal;
    totals.bundledBytes += entry.bytes;
    totals.externalBytes += externalBytes[name]!;
    console.log(
      `${name.padEnd(11)} ${(entry.bytes / 1024).toFixed(1).padStart(8)}   ${(entry.bytes <= ZIP_BUDGET_BYTES[name] ? 'within' : 'OVER').padStart(6)}   ${load.toFixed(1).padStart(7)}   ${(load / baseline)
        .toFixed(2)
        .padStart(7)}   ${load / baseline <= 3 ? 'yes' : 'no '}      ${(externalBytes[name]! / 1024).toFixed(1).padStart(7)}   ${loadExternal.toFixed(1).padStart(7)}   ${(loadExternal / baseline).toFixed(2).padStart(7)}`,
    );
  }
  await perModeAuthorizers(dir, env, loader, median(samples.authorizer!), baseline, manifest.authorizer.bytes);
  const n = FUNCTIONS.length;
  console.log(
    `  mean: bundled ${(totals.bundledBytes / n / 1024).toFixed(1)} KiB, ${(totals.bundled / n).toFixed(1)} ms; external ${(totals.externalBytes / n / 1024).toFixed(1)} KiB, ${(totals.external / n).toFixed(1)} ms: load time external ÷ bundled ${(totals.external / totals.bundled).toFixed(2)}× (aim of the shipped mode: the faster load; zip aim ≤ ${ZIP_AIM_BYTES / 1000} KB)`,
  );
}

/** The authorizer's modules of each auth mode, as functions/authorizer.ts imports them. */
const AUTH_MODE_MODULES: Record<'anonymous' | 'jwt' | 'two-phase', string[]> = {
  anonymous: ['anonymous-mode'],
  jwt: ['jwt-mode', 'session-check', 'session-cookie', 'guests'],
  'two-phase': ['two-phase-mode', 'guests'],
};
/** What a left-out module is replaced by: every export the authorizer imports, doing nothing. */
const AUTH_STUB =
  'const none = () => async () => ({ allow: false, status: 401, reason: "stub" }); module.exports = { createAnonymousAuthenticator: none, createJwtAuthenticator: none, createTwoPhaseAuthenticator: none, readSessionCheck: () => undefined, createSessionCookieSource: () => undefined, withGuests: (authenticate) => authenticate };';

/**
 * Would one authorizer bundle per auth mode pay off? Each mode's build leaves the other modes'
 * modules out (a stub in their place), and is sized and loaded like the shipped one, same runs.
 */
async function perModeAuthorizers(dir: string, env: NodeJS.ProcessEnv, loader: (name: string, entry: string) => string, shippedMs: number, baseline: number, shippedBytes: number): Promise<void> {
  const all = Object.values(AUTH_MODE_MODULES).flat();
  const rows: Array<{ mode: string; bytes: number; ms: number }> = [];
  for (const [mode, own] of Object.entries(AUTH_MODE_MODULES)) {
    const left = [...new Set(all.filter((name) => !own.includes(name)))];
    const stub: Plugin = {
      name: 'stub-other-auth-modes',
      setup(build) {
        build.onResolve({ filter: new RegExp(`^\\./lib/auth/(${left.join('|')})$`) }, (args) => ({ path: args.path, namespace: 'auth-stub' }));
        build.onLoad({ filter: /.*/, namespace: 'auth-stub' }, () => ({ contents: AUTH_STUB, loader: 'js' }));
      },
    };
    const files = await bundle('authorizer', 'functions/authorizer.ts', { plugins: [stub] });
    const modeDir = path.join(dir, `authorizer-${mode}`);
    mkdirSync(modeDir, { recursive: true });
    writeFileSync(path.join(modeDir, 'index.js'), files.get('index.js')!);
    const script = loader(`authorizer-${mode}`, path.join(modeDir, 'index.js'));
    const samples = Array.from({ length: RUNS }, () => timeNode(script, env));
    rows.push({ mode, bytes: (await zip(files)).length, ms: median(samples) });
  }
  console.log(`  authorizer per auth mode (the other modes left out; shipped: all modes, ${(shippedBytes / 1024).toFixed(1)} KiB, ${shippedMs.toFixed(1)} ms):`);
  for (const { mode, bytes, ms } of rows) {
    console.log(`    ${mode.padEnd(10)} ${(bytes / 1024).toFixed(1).padStart(7)} KiB (${((bytes / shippedBytes) * 100).toFixed(0)} % of shipped)   ${ms.toFixed(1).padStart(6)} ms (${(ms / baseline).toFixed(2)}× empty; ÷ shipped ${(ms / shippedMs).toFixed(2)}×)`);
  }
}

async function requestsPerConnection(): Promise<void> {
  const dynamo = await startDynamoLocal();
  const proxy = await countingProxy(dynamo.endpoint);
  const sandbox = await startProjectSandbox({ dynamoEndpoint: proxy.endpoint, port: 0, tableName: 'bench' });
  try {
    proxy.counts.clear();
    const clients: WebSocket[] = [];
    for (let i = 0; i < CLIENTS; i += 1) {
      const ws = new WebSocket(sandbox.url, crypto.randomUUID());
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      clients.push(ws);
    }
    const onConnect = new Map(proxy.counts);
    proxy.counts.clear();
    for (let round = 0; round < MESSAGES_PER_CLIENT; round += 1) {
      await Promise.all(
        clients.map(
          (ws) =>
            new Promise((resolve) => {
              ws.once('message', resolve);
              ws.send('{"action":"ping"}');
            }),
        ),
      );
    }
    const onMessage = new Map(proxy.counts);
    proxy.counts.clear();
    await Promise.all(clients.map((ws) => new Promise((resolve) => ws.once('close', resolve).close(1000))));
    while (sandbox.gateway.connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    // $disconnect runs after the socket closes; wait until every one has reached DynamoDB.
    const deadline = Date.now() + 10_000;
    while (total(proxy.counts) < CLIENTS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const onDisconnect = new Map(proxy.counts);
    console.log(`\nDynamoDB requests (${CLIENTS} clients through the sandbox, counted at DynamoDB Local)`);
    console.log(`  per connect      ${(total(onConnect) / CLIENTS).toFixed(2)}   (${describe(onConnect)})   aim: 2 with the per-user cap on (GetItem of the counter, TransactWriteItems of the connection and the count), 1 PutItem with it off`);
    console.log(
      `  per message      ${(total(onMessage) / (CLIENTS * MESSAGES_PER_CLIENT)).toFixed(2)}   (${describe(onMessage)}; ${MESSAGES_PER_CLIENT} pings per client)   aim: 1 (the message budget; the first message of a window costs 2)`,
    );
    console.log(`  per disconnect   ${(total(onDisconnect) / CLIENTS).toFixed(2)}   (${describe(onDisconnect)})   aim: 3 (GetItem of its session link, GetItem + TransactWriteItems counting it out; an UpdateItem more with a session)`);
  } finally {
    await sandbox.stop();
    proxy.server.close();
    await dynamo.stop();
  }
}

/** BENCH_PARTS picks parts to run (default all), so one can be re-run alone. */
const PARTS: Record<string, (manifest: Manifest) => Promise<void>> = {
  cold: coldPath,
  connections: requestsPerConnection,
  auth: benchAuth,
  fanout: benchFanout,
  resume: () => benchResume(),
  client: benchClient,
  sessions: benchSessions,
  eviction: () => benchEviction(),
};

async function main(): Promise<void> {
  const picked = (process.env.BENCH_PARTS ?? Object.keys(PARTS).join(',')).split(',').map((part) => part.trim());
  const unknown = picked.filter((part) => !(part in PARTS));
  if (unknown.length > 0) throw new Error(`BENCH_PARTS: ${unknown.join(', ')} is not a part (${Object.keys(PARTS).join(', ')})`);
  const manifest = await buildAll();
  for (const part of picked) await PARTS[part]!(manifest);
  console.log(`\nnode ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
