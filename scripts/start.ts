/**
 * npm start: builds the handlers if needed, starts DynamoDB Local in memory, the sandbox WebSocket API
 * on ws://127.0.0.1:3001/dev (PORT, STAGE) and the demo page on http://127.0.0.1:3000 (DEMO_PORT).
 * Ctrl-C closes every connection ($disconnect runs) and stops everything.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDemoServer } from '../sandbox/demo-server';
import { startDynamoLocal } from '../sandbox/dynamo-local';
import { FANOUT_DLQ, FANOUT_QUEUE, startProjectSandbox } from '../sandbox/project';
import { buildAll } from './build';

const ROOT = path.resolve(__dirname, '..');

function readPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) throw new Error(`${name} must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`);
  return port;
}

/** The newest modification time under a directory, in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

function buildIsStale(): boolean {
  const manifest = path.join(ROOT, 'dist', 'manifest.json');
  if (!existsSync(manifest)) return true;
  return newest(path.join(ROOT, 'functions')) > statSync(manifest).mtimeMs;
}

async function main(): Promise<void> {
  const port = readPort('PORT', 3001);
  const demoPort = readPort('DEMO_PORT', 3000);
  const stage = process.env.STAGE || 'dev';
  if (buildIsStale()) {
    console.log('building the Lambda zips…');
    await buildAll();
  }

  const dynamo = await startDynamoLocal();
  const demoOrigins = [`http://127.0.0.1:${demoPort}`, `http://localhost:${demoPort}`];
  const verbose = process.env.LOG_LEVEL === 'debug';
  const sandbox = await startProjectSandbox({
    dynamoEndpoint: dynamo.endpoint,
    port,
    stage,
    allowedOrigins: demoOrigins,
    logLevel: verbose ? 'debug' : 'info',
    onLog: (fn, line) => console.log(`[${fn}] ${line}`),
    onAccessLog: (entry) => console.log(`[api] ${JSON.stringify(entry)}`),
  });
  const demo = await startDemoServer({ port: demoPort, websocketUrl: sandbox.url });
  const stateFile = path.join(ROOT, '.sandbox', 'state.json');
  mkdirSync(path.dirname(stateFile), { recursive: true });
  writeFileSync(
    stateFile,
    JSON.stringify(
      {
        url: sandbox.url,
        managementEndpoint: sandbox.managementEndpoint,
        dynamoEndpoint: dynamo.endpoint,
        tableName: sandbox.tableName,
        sqsEndpoint: sandbox.sqsEndpoint,
        schedulerEndpoint: sandbox.schedulerEndpoint,
        fanoutQueueUrl: sandbox.queues.get(FANOUT_QUEUE)!.url,
      },
      null,
      2,
    ),
  );

  console.log(`
websocket-sessions sandbox
  WebSocket API     ${sandbox.url}
  Management API    ${sandbox.managementEndpoint}/@connections/{connectionId}
  Demo page         ${demo.url}
  DynamoDB Local    ${dynamo.endpoint} (in memory), table ${sandbox.tableName}
  Fan-out queue     ${sandbox.queues.get(FANOUT_QUEUE)!.url} (FIFO, DLQ ${FANOUT_DLQ}), emulated in-process
  Config            auth mode anonymous (offer a 16–128 character id as the subprotocol),
                    allowed origins ${demoOrigins.join(', ')} (and clients sending no Origin),
                    connection TTL 7800 s, idle timeout 10 min, maximum duration 2 h
  Try               npx wscat -c ${sandbox.url} -s "$(node -p 'crypto.randomUUID()')"
                    then send {"action":"ping"}
  Push              npm run push -- --user <anonymous id> '{"hello":"world"}'   (the publisher, through the queue)
                    npm run push -- --broadcast '"hello everyone"'
Ctrl-C to stop.
`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: closing connections and stopping…`);
    rmSync(stateFile, { force: true });
    await demo.stop();
    await sandbox.stop();
    await dynamo.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
