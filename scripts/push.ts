/**
 * A backend script pushing through the running sandbox the way a service does: the publisher
 * library enqueues on the fan-out queue, the fanout function plans and posts.
 *
 *   npm run push -- --user <userId> '{"hello":"world"}'
 *   npm run push -- --tenant <tenantId> '"text"'
 *   npm run push -- --channel <name> '{"price":12.5}'
 *   npm run push -- --broadcast '{"notice":"maintenance"}'
 *   npm run push -- --connection <connectionId> 'plain text'
 *
 * The last argument is JSON when it parses as JSON, else sent as a string. It finds the sandbox
 * through .sandbox/state.json, written by npm start (PUSH_STATE_FILE overrides the path).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createPublisher, type Publisher } from '../packages/publisher/src/index';

const STATE_FILE = process.env.PUSH_STATE_FILE ?? path.join(__dirname, '..', '.sandbox', 'state.json');
const USAGE = `usage: npm run push -- --user <userId> | --tenant <tenantId> | --channel <name> | --connection <connectionId> | --broadcast  '<data>'`;

const readData = (raw: string): unknown => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
};

function call(publisher: Publisher, args: string[]): Promise<string> {
  const [flag, target, raw] = args;
  if (flag === '--broadcast' && target !== undefined && raw === undefined) return publisher.broadcast(readData(target));
  if (target === undefined || raw === undefined) throw new Error(USAGE);
  const data = readData(raw);
  switch (flag) {
    case '--user':
      return publisher.sendToUser(target, data);
    case '--tenant':
      return publisher.sendToTenant(target, data);
    case '--channel':
      return publisher.publish(target, data);
    case '--connection':
      return publisher.sendToConnection(target, data);
    default:
      throw new Error(USAGE);
  }
}

async function main(): Promise<void> {
  const state = sandboxState();
  const sqs = new SQSClient({ endpoint: state.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
  try {
    const id = await call(createPublisher({ queueUrl: state.fanoutQueueUrl, client: sqs }), process.argv.slice(2));
    console.log(`queued message ${id}`);
  } finally {
    sqs.destroy();
  }
}

/** Where the running sandbox is, as `npm start` recorded it. */
function sandboxState(): { fanoutQueueUrl: string; sqsEndpoint: string } {
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8'));
  } catch {
    throw new Error(`no running sandbox found (${STATE_FILE} is missing): start it with npm start`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
