/**
 * The cost model of `npm run bench`: dollars from the usage counted in a sandbox run (DynamoDB request
 * units, SQS requests, Lambda invocations and GB-seconds, API Gateway messages and connection-minutes)
 * and the dated us-east-1 list prices of scripts/prices.json. Arithmetic only; the bench counts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Prices {
  region: string;
  /** When the prices were read from their sources (YYYY-MM-DD). */
  date: string;
  apiGatewayWebSocket: { messagePerMillion: number; messageBillingBytes: number; connectionMinutePerMillion: number; source: string };
  lambda: { requestPerMillion: number; gbSecondX86: number; gbSecondArm64: number; source: string };
  dynamodbOnDemand: { writeUnitPerMillion: number; readUnitPerMillion: number; source: string };
  sqs: { standardPerMillion: number; fifoPerMillion: number; billingBytes: number; source: string };
  appSyncEvents: { operationPerMillion: number; operationBillingBytes: number; connectionMinutePerMillion: number; source: string };
}

export const PRICES_FILE = path.join(__dirname, 'prices.json');

/** Every price a positive number and every section with its source: a bad file is refused, naming the field. */
export function checkPrices(value: unknown): Prices {
  const fail = (why: string): never => {
    throw new Error(`prices: ${why}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const prices = value as Record<string, unknown>;
  if (prices.region !== 'us-east-1') fail(`region must be "us-east-1", not ${JSON.stringify(prices.region)}`);
  if (typeof prices.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(prices.date) || Number.isNaN(Date.parse(prices.date))) fail(`date must be YYYY-MM-DD, not ${JSON.stringify(prices.date)}`);
  const sections: Record<string, string[]> = {
    apiGatewayWebSocket: ['messagePerMillion', 'messageBillingBytes', 'connectionMinutePerMillion'],
    lambda: ['requestPerMillion', 'gbSecondX86', 'gbSecondArm64'],
    dynamodbOnDemand: ['writeUnitPerMillion', 'readUnitPerMillion'],
    sqs: ['standardPerMillion', 'fifoPerMillion', 'billingBytes'],
    appSyncEvents: ['operationPerMillion', 'operationBillingBytes', 'connectionMinutePerMillion'],
  };
  for (const [name, fields] of Object.entries(sections)) {
    const section = prices[name] as Record<string, unknown> | undefined;
    if (typeof section !== 'object' || section === null) fail(`${name} is missing`);
    for (const field of fields) {
      const price = section![field];
      if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) fail(`${name}.${field} must be a positive number, not ${JSON.stringify(price)}`);
    }
    if (typeof section!.source !== 'string' || !section!.source.startsWith('https://')) fail(`${name}.source must name the page the prices come from (https://…)`);
  }
  return value as Prices;
}

export function loadPrices(file = PRICES_FILE): Prices {
  return checkPrices(JSON.parse(readFileSync(file, 'utf8')));
}

/** Units billed for a payload of `bytes` metered in `increment`-byte steps (at least one). */
export function billedUnits(bytes: number, increment: number): number {
  return Math.max(1, Math.ceil(bytes / increment));
}

/** What one run used, as the bench counts it. */
export interface Usage {
  /** DynamoDB request units, transactional items counted twice as DynamoDB bills them. */
  dynamodb: { readUnits: number; writeUnits: number };
  /** SQS requests (each already counted per 64 KB chunk where larger). */
  sqs: { fifoRequests: number; standardRequests: number };
  /** Lambda invocations, their billed duration (ms, each rounded up) and the functions' memory. */
  lambda: { invocations: number; billedMs: number; memoryMb: number; architecture: 'x86_64' | 'arm64' };
  /** API Gateway: messages in 32 KB units (sent and received) and connection-minutes. */
  apiGateway: { messageUnits: number; connectionMinutes: number };
}

export interface Cost {
  apiGatewayMessages: number;
  apiGatewayConnectionMinutes: number;
  lambda: number;
  dynamodb: number;
  sqs: number;
  total: number;
}

const MILLION = 1_000_000;

/** The dollars `usage` costs at `prices`. */
export function costOf(usage: Usage, prices: Prices): Cost {
  const gbSecond = usage.lambda.architecture === 'arm64' ? prices.lambda.gbSecondArm64 : prices.lambda.gbSecondX86;
  const gbSeconds = (usage.lambda.billedMs / 1000) * (usage.lambda.memoryMb / 1024);
  const parts = {
    apiGatewayMessages: (usage.apiGateway.messageUnits * prices.apiGatewayWebSocket.messagePerMillion) / MILLION,
    apiGatewayConnectionMinutes: (usage.apiGateway.connectionMinutes * prices.apiGatewayWebSocket.connectionMinutePerMillion) / MILLION,
    lambda: (usage.lambda.invocations * prices.lambda.requestPerMillion) / MILLION + gbSeconds * gbSecond,
    dynamodb: (usage.dynamodb.readUnits * prices.dynamodbOnDemand.readUnitPerMillion + usage.dynamodb.writeUnits * prices.dynamodbOnDemand.writeUnitPerMillion) / MILLION,
    sqs: (usage.sqs.fifoRequests * prices.sqs.fifoPerMillion + usage.sqs.standardRequests * prices.sqs.standardPerMillion) / MILLION,
  };
  return { ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}

/**
 * AppSync Events' price for the same traffic: each publish and each message delivered is an operation
 * per 5 KB, plus its connection-minutes (connects and subscribes are left out on both sides).
 */
export function appSyncEventsCost(traffic: { publishes: number; publishBytes: number; deliveries: number; deliveryBytes: number; connectionMinutes: number }, prices: Prices): number {
  const { operationPerMillion, operationBillingBytes, connectionMinutePerMillion } = prices.appSyncEvents;
  const operations = traffic.publishes * billedUnits(traffic.publishBytes, operationBillingBytes) + traffic.deliveries * billedUnits(traffic.deliveryBytes, operationBillingBytes);
  return (operations * operationPerMillion + traffic.connectionMinutes * connectionMinutePerMillion) / MILLION;
}

/** Dollars per million of `count`. */
export function perMillion(dollars: number, count: number): number {
  if (!(count > 0)) throw new Error(`perMillion: the count must be positive, not ${count}`);
  return (dollars / count) * MILLION;
}

/** What the stack adds beyond API Gateway's own message charge, as a share of that charge. */
export function beyondApiGateway(cost: Cost): number {
  return (cost.total - cost.apiGatewayMessages - cost.apiGatewayConnectionMinutes) / cost.apiGatewayMessages;
}
