/**
 * Eviction benchmark: the time from the login that evicts a session (the session service's `create`,
 * `closeSocketsOnSessionEnd` sending the disconnect through the publisher) to that session's live
 * socket closing, p50 and p99 over BENCH_EVICTION_RUNS (100) runs through the sandbox; against the
 * same socket receiving a `sendToUser` message just before (one trip through the same fan-out queue),
 * measured in the same runs.
 *
 *   npx tsx scripts/bench-eviction.ts
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import WebSocket from 'ws';
import { createPublisher } from '../packages/publisher/src/index';
import { closeSocketsOnSessionEnd, createAccessTokens, createSessionService, signingKey as sessionSigningKey } from '../packages/sessions/src';
import { startDynamoLocal } from '../sandbox/dynamo-local';
import { FANOUT_QUEUE, startProjectSandbox } from '../sandbox/project';
import { signingKey, startJwksServer } from '../test/helpers/jwks';

const RUNS = Number(process.env.BENCH_EVICTION_RUNS ?? 100);
const ISSUER = 'https://bench.example.com';
const AUDIENCE = 'bench-ws';

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export async function benchEviction(): Promise<void> {
  const ec = signingKey('ES256', 'bench-eviction');
  const key = sessionSigningKey({ algorithm: 'ES256', material: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), kid: ec.kid });
  const jwks = await startJwksServer([ec]);
  const dynamo = await startDynamoLocal();
  const tableName = 'bench-eviction';
  const sandbox = await startProjectSandbox({
    dynamoEndpoint: dynamo.endpoint,
    port: 0,
    tableName,
    logLevel: 'warn',
    authMode: 'jwt',
    jwt: { JWT_ALGORITHMS: 'ES256', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: jwks.url },
  });
  // The sandbox's credentials: DynamoDB Local keeps a database per access key and Region.
  const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: sandbox.sqsEndpoint, credentials });
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamo.endpoint, credentials });
  const evictions: number[] = [];
  const pushes: number[] = [];
  try {
    const publisher = createPublisher({ queueUrl: sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs });
    const service = createSessionService({ tableName, client, log: () => undefined, settings: { maxSessionsPerUser: 1 } });
    const tokens = createAccessTokens({ sessions: service, key, issuer: ISSUER, audience: AUDIENCE });
    const closing = closeSocketsOnSessionEnd(service, publisher);
    for (let run = 0; run < RUNS; run += 1) {
      const userId = `bench-evict-${run}-${Date.now()}`;
      const { session } = await service.create({ userId, email: 'bench@example.com' });
      const ws = new WebSocket(sandbox.url, ['ws-sessions.v1', `bearer.${(await tokens.issue(session)).token}`], { perMessageDeflate: false });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const frame = new Promise<number>((resolve) => ws.once('message', () => resolve(performance.now())));
      const closed = new Promise<number>((resolve) => ws.once('close', () => resolve(performance.now())));
      let started = performance.now();
      await publisher.sendToUser(userId, { run });
      pushes.push((await frame) - started);
      started = performance.now();
      await service.create({ userId, email: 'bench@example.com' });
      await closing.settled();
      evictions.push((await closed) - started);
    }
    closing.stop();
  } finally {
    sqs.destroy();
    client.destroy();
    await sandbox.stop();
    await dynamo.stop();
    await jwks.stop();
  }
  const line = (label: string, values: number[]) =>
    `  ${label.padEnd(34)} p50 ${percentile(values, 50).toFixed(0).padStart(5)} ms   p99 ${percentile(values, 99).toFixed(0).padStart(5)} ms`;
  console.log(`\nEviction closes the socket (${RUNS} runs, sandbox on DynamoDB Local)`);
  console.log(line('login that evicts → socket closed', evictions));
  console.log(line('sendToUser → frame (baseline)', pushes));
  console.log(`  ratio at p50 ${(percentile(evictions, 50) / percentile(pushes, 50)).toFixed(2)}×, at p99 ${(percentile(evictions, 99) / percentile(pushes, 99)).toFixed(2)}×`);
}

if (require.main === module) {
  benchEviction().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
