/**
 * npm run example:teleprinter: the project's sandbox with the teleprinter route (dist/teleprinter.zip,
 * built if the sources changed) on ws://127.0.0.1:3001/dev (PORT, STAGE), and the sample's client on
 * http://127.0.0.1:3000 (DEMO_PORT, as npm start names it), and beside it library.html, the same
 * teleprinter on the client library (packages/client). TELEPRINTER_INTERVAL_MS and TELEPRINTER_TEXT
 * reach the function; ALLOWED_ORIGINS, LOG_FORMAT and the session settings are read as npm start reads them.
 * Ctrl-C closes every connection and stops.
 */
import path from 'node:path';
import { startDemoServer } from '../../sandbox/demo-server';
import { startDynamoLocal } from '../../sandbox/dynamo-local';
import { assertPortsFree, buildIsStale, describeLocalSettings, logSink, readAllowedOrigins, readLatency, readLocalSettings, readPort, stopOnSignals } from '../../sandbox/launch';
import { DIST, PROJECT_FUNCTIONS, startProjectSandbox } from '../../sandbox/project';
import { buildAll } from '../../scripts/build';
import { CLIENT_PAGES } from './client-files';

const COMMAND = 'npm run example:teleprinter';

async function main(): Promise<void> {
  const port = readPort('PORT', 3001);
  const demoPort = readPort('DEMO_PORT', 3000);
  const origins = readAllowedOrigins(demoPort);
  const log = logSink();
  await assertPortsFree({ PORT: port, DEMO_PORT: demoPort }, COMMAND);
  if (buildIsStale([...PROJECT_FUNCTIONS, 'teleprinter'], ['functions', 'packages/contract', 'examples/anonymous-resume/functions'])) {
    console.log('building the Lambda zips…');
    await buildAll();
  }
  // As the example's Terraform: the cursor survives an hour without a connection.
  const settings = readLocalSettings(process.env, { SESSION_RESUME_WINDOW_SECONDS: 3600 });
  const teleprinterEnv = Object.fromEntries(
    ['TELEPRINTER_INTERVAL_MS', 'TELEPRINTER_TEXT'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
  );
  const dynamo = await startDynamoLocal();
  const sandbox = await startProjectSandbox({
    latency: readLatency(),
    dynamoEndpoint: dynamo.endpoint,
    port,
    stage: process.env.STAGE || 'dev',
    allowedOrigins: origins,
    settings: Object.fromEntries(settings.map(({ name, value }) => [name, String(value)])),
    extraRoutes: { teleprinter: { source: { zip: path.join(DIST, 'teleprinter.zip') }, env: teleprinterEnv } },
    onLog: log,
  });
  const client = await startDemoServer({ port: demoPort, websocketUrl: sandbox.url, ...CLIENT_PAGES });
  console.log(`
teleprinter (examples/anonymous-resume) in the sandbox
  WebSocket API   ${sandbox.url}   (routes $connect, $disconnect, $default, teleprinter)
  Client          ${client.url}   (the AWS sample's page)
                  ${client.url}/library.html   (the same on the client library)
  DynamoDB Local  ${dynamo.endpoint} (in memory), table ${sandbox.tableName}
  Origins         ${origins.join(', ')} (more with ALLOWED_ORIGINS)
  Settings        set in the environment (TELEPRINTER_INTERVAL_MS and TELEPRINTER_TEXT too):
${describeLocalSettings(settings)
  .map((line) => `                  ${line}`)
  .join('\n')}
  Try             ID=$(node -p "crypto.randomUUID()")
                  npx wscat -c ${sandbox.url} -s "$ID"          then send {"action":"teleprinter"}
Ctrl-C to stop.
`);

  stopOnSignals(async () => {
    await client.stop();
    await sandbox.stop();
    await dynamo.stop();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
