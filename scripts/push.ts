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
 *
 * A deployed stack instead: its fan-out queue's URL (the module's `fanout_queue_url` output) with the
 * usual AWS credential chain (environment, profile, SSO, instance role); the region is the URL's, or
 * `--region`, or the chain's (AWS_REGION, the profile):
 *
 *   npm run push -- --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/chat-fanout.fifo --user <userId> '{"hello":"world"}'
 *   FANOUT_QUEUE_URL=… AWS_PROFILE=staging npm run push -- --broadcast '"maintenance"'
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createPublisher, type Publisher } from '../packages/publisher/src/index';
import { deployedQueue } from './push-target';

const STATE_FILE = process.env.PUSH_STATE_FILE ?? path.join(__dirname, '..', '.sandbox', 'state.json');
const USAGE = `usage: npm run push -- [--queue-url <fanout_queue_url> [--region <region>]] --user <userId> | --tenant <tenantId> | --channel <name> | --connection <connectionId> | --broadcast  '<data>'`;
const OPTIONS = ['--queue-url', '--region'] as const;

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
  const { options, rest } = splitOptions(process.argv.slice(2));
  const queueUrl = options['--queue-url'] ?? process.env.FANOUT_QUEUE_URL;
  if (queueUrl === undefined && options['--region'] !== undefined) throw new Error(`--region applies to a deployed stack's --queue-url\n${USAGE}`);
  let sqs: SQSClient;
  let target: string;
  if (queueUrl === undefined) {
    const state = sandboxState();
    sqs = new SQSClient({ endpoint: state.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
    target = state.fanoutQueueUrl;
  } else {
    const deployed = deployedQueue({ queueUrl, region: options['--region'] });
    sqs = new SQSClient(deployed.region === undefined ? {} : { region: deployed.region });
    target = deployed.queueUrl;
  }
  try {
    const id = await call(createPublisher({ queueUrl: target, client: sqs }), rest);
    console.log(`queued message ${id}`);
  } finally {
    sqs.destroy();
  }
}

/** `--queue-url` and `--region` with their values, wherever they are; the rest is the call. */
function splitOptions(args: string[]): { options: Partial<Record<(typeof OPTIONS)[number], string>>; rest: string[] } {
  const options: Partial<Record<(typeof OPTIONS)[number], string>> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const option = OPTIONS.find((name) => name === args[i]);
    if (option === undefined) {
      rest.push(args[i]!);
      continue;
    }
    const value = args[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`${option} needs a value\n${USAGE}`);
    options[option] = value;
  }
  return { options, rest };
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
