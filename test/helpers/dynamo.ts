import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../functions/lib/store/dynamo';
import { ensureTable } from '../../sandbox/table';

export function dynamoEndpoint(): string {
  const endpoint = process.env.DYNAMO_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMO_ENDPOINT is not set: integration tests run under the jest globalSetup');
  return endpoint;
}

let shared: DynamoDBClient | undefined;

/** One client per test file, destroyed after the file (test/helpers/setup-after-env.ts). */
export function dynamoClient(): DynamoDBClient {
  shared ??= new DynamoDBClient({
    endpoint: dynamoEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
  return shared;
}

export function destroyDynamoClient(): void {
  shared?.destroy();
  shared = undefined;
}

export const documentClient = (): DynamoDBDocumentClient => createDocumentClient(dynamoClient());

/** A fresh table with the module's schema, named uniquely so test files do not share state. */
export async function createTestTable(prefix = 'test'): Promise<string> {
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(dynamoClient(), tableName);
  return tableName;
}

/** Every item in the table. Tests only: the code itself never scans. */
export async function allItems(tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: ScanCommandOutput['LastEvaluatedKey'];
  do {
    const page = await dynamoClient().send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) items.push(Object.fromEntries(Object.entries(item).map(([k, v]) => [k, Object.values(v)[0]])));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
