/**
 * npm run example:teleprinter: the project's sandbox with the teleprinter route (dist/teleprinter.zip,
 * built if the sources changed) on ws://127.0.0.1:3001/dev (PORT, STAGE), and the sample's client on
 * http://127.0.0.1:3000 (CLIENT_PORT). TELEPRINTER_INTERVAL_MS and TELEPRINTER_TEXT reach the function.
 * Ctrl-C closes every connection and stops.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { startDemoServer } from '../../sandbox/demo-server';
import { startDynamoLocal } from '../../sandbox/dynamo-local';
import { DIST, ROOT, startProjectSandbox } from '../../sandbox/project';
import { buildAll } from '../../scripts/build';

const CLIENT = { '/': 'index.html', '/index.html': 'index.html', '/teleprinter.js': 'teleprinter.js' };

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }, 0);

function buildIsStale(): boolean {
  const manifest = path.join(DIST, 'manifest.json');
  if (!existsSync(manifest) || !('teleprinter' in (JSON.parse(readFileSync(manifest, 'utf8')) as object))) return true;
  const built = statSync(manifest).mtimeMs;
  return newest(path.join(ROOT, 'functions')) > built || newest(path.join(__dirname, 'functions')) > built;
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65_535) throw new Error(`${name} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

async function main(): Promise<void> {
  const clientPort = port('CLIENT_PORT', 3000);
  if (buildIsStale()) {
    console.log('building the Lambda zips…');
    await buildAll();
  }
  const teleprinterEnv = Object.fromEntries(
    ['TELEPRINTER_INTERVAL_MS', 'TELEPRINTER_TEXT'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
  );
  const dynamo = await startDynamoLocal();
  const origins = [`http://127.0.0.1:${clientPort}`, `http://localhost:${clientPort}`];
  const sandbox = await startProjectSandbox({
    dynamoEndpoint: dynamo.endpoint,
    port: port('PORT', 3001),
    stage: process.env.STAGE || 'dev',
    allowedOrigins: origins,
    // As the example's Terraform: the cursor survives an hour without a connection.
    session: { resumeWindowSeconds: 3600 },
    extraRoutes: { teleprinter: { source: { zip: path.join(DIST, 'teleprinter.zip') }, env: teleprinterEnv } },
    onLog: (fn, line) => console.log(`[${fn}] ${line}`),
  });
  const client = await startDemoServer({ port: clientPort, websocketUrl: sandbox.url, dir: path.join(__dirname, 'client'), files: CLIENT });
  console.log(`
teleprinter (examples/anonymous-resume) in the sandbox
  WebSocket API   ${sandbox.url}   (routes $connect, $disconnect, $default, teleprinter)
  Client          ${client.url}
  DynamoDB Local  ${dynamo.endpoint} (in memory), table ${sandbox.tableName}
  Try             npx wscat -c ${sandbox.url} -s "$(node -p 'crypto.randomUUID()')"
                  then send {"action":"teleprinter"}
Ctrl-C to stop.
`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await client.stop();
    await sandbox.stop();
    await dynamo.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
