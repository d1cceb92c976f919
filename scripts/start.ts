/**
 * npm start: builds the handlers if needed, starts DynamoDB Local in memory, the sandbox WebSocket API
 * on ws://127.0.0.1:3001/dev (PORT, STAGE) and the demo page on http://127.0.0.1:3000 (DEMO_PORT),
 * with the login example's HTTP API (examples/login-flow) on the page's origin: the page signs in and
 * connects with the session cookie.
 * ALLOWED_ORIGINS adds origins; the session settings (sandbox/launch.ts LOCAL_SETTINGS) come from the
 * environment; SANDBOX_LATENCY_MS models each AWS service's round trip (sandbox/launch.ts readLatency);
 * LOG_FORMAT=json shows the functions' JSON lines. Ctrl-C closes every connection
 * ($disconnect runs) and stops everything.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { demoControls } from '../sandbox/demo-controls';
import { startDemoServer } from '../sandbox/demo-server';
import { startDynamoLocal } from '../sandbox/dynamo-local';
import {
  assertPortsFree,
  buildIsStale,
  describeLocalSettings,
  logSink,
  readAllowedOrigins,
  readLatency,
  readLocalSettings,
  readPort,
  stopOnSignals,
} from '../sandbox/launch';
import { FANOUT_DLQ, FANOUT_QUEUE, PROJECT_FUNCTIONS, startProjectSandbox } from '../sandbox/project';
import { startLoginExample } from '../examples/login-flow/sandbox';
import ROUTE_KEYS from '../examples/login-flow/routes.json';
import { DEMO_ACCOUNTS } from '../examples/login-flow/functions/demo-accounts';
import { buildAll } from './build';

const ROOT = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const port = readPort('PORT', 3001);
  const demoPort = readPort('DEMO_PORT', 3000);
  const stage = process.env.STAGE || 'dev';
  const origins = readAllowedOrigins(demoPort);
  const log = logSink();
  // Before anything slow: a taken port is reported in a second, with the setting that moves it.
  await assertPortsFree({ PORT: port, DEMO_PORT: demoPort });
  if (buildIsStale([...PROJECT_FUNCTIONS, 'login-api'], ['functions', 'packages/contract', 'packages/sessions', 'examples/login-flow'])) {
    console.log('building the Lambda zips…');
    await buildAll();
  }
  const settings = readLocalSettings();
  const latency = readLatency();

  const dynamo = await startDynamoLocal();
  const verbose = process.env.LOG_LEVEL === 'debug';
  const login = await startLoginExample();
  const sandbox = await startProjectSandbox({
    ...login.options,
    dynamoEndpoint: dynamo.endpoint,
    port,
    stage,
    allowedOrigins: origins,
    settings: Object.fromEntries(settings.map(({ name, value }) => [name, String(value)])),
    logLevel: verbose ? 'debug' : 'info',
    latency,
    onLog: log,
    onAccessLog: (entry) => log('api', JSON.stringify({ event: 'access', ...entry })),
  });
  const demo = await startDemoServer({ port: demoPort, websocketUrl: sandbox.url, controls: demoControls(sandbox), httpApi: sandbox.httpApi, auth: 'cookie' });
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
  Demo page         ${demo.url} (sign in, then a chat on the client library; a second browser profile signs in as the other user)
  Login HTTP API    ${Object.values(ROUTE_KEYS).map((key) => key.replace(' /', ` ${demo.url}/`)).join('\n                    ')}
                    (examples/login-flow on the page's origin) as ${DEMO_ACCOUNTS.map((account) => account.email).join(' or ')} (passwords: examples/login-flow/README.md)
  DynamoDB Local    ${dynamo.endpoint} (in memory), table ${sandbox.tableName}
  Fan-out queue     ${sandbox.queues.get(FANOUT_QUEUE)!.url} (FIFO, DLQ ${FANOUT_DLQ}), emulated in-process
  Config            auth mode jwt with the session cookie at $connect (new WebSocket(url, 'ws-sessions.v1') once signed in),
                    allowed origins ${origins.join(', ')} (and clients sending no Origin;
                    more with ALLOWED_ORIGINS=https://a.example,https://b.example),
                    idle timeout 10 min, maximum duration 2 h,
                    modelled round trips ${latency ? Object.entries(latency).map(([service, ms]) => `${service} ${ms} ms`).join(', ') : 'none (SANDBOX_LATENCY_MS=10, or dynamodb=5,sqs=10,lambda=15)'}
  Settings          set any of these in the environment of npm start, as the module's variables set them:
${describeLocalSettings(settings)
  .map((line) => `                    ${line}`)
  .join('\n')}
  Logs              this terminal, one readable line per entry (LOG_FORMAT=json for the functions' EMF JSON;
                    on AWS, CloudWatch Logs for log_retention_in_days, 30 by default)
  Try               sign in on the demo page as ada@example.com; the page connects with the session cookie
  Push              npm run push -- --user ada '{"hello":"world"}'   (the publisher, through the queue)
                    npm run push -- --broadcast '"hello everyone"'
Ctrl-C to stop.
`);

  stopOnSignals(async (signal) => {
    console.log(`\n${signal}: closing connections and stopping…`);
    rmSync(stateFile, { force: true });
    await demo.stop();
    await sandbox.stop();
    await login.stop();
    await dynamo.stop();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
