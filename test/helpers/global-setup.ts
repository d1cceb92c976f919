import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildAll } from '../../scripts/build';
import { startDynamoLocal, type DynamoLocal } from '../../sandbox/dynamo-local';

declare global {
  var __dynamoLocal: DynamoLocal | undefined;
}

/** One DynamoDB Local for the integration run; each test file creates tables of its own. */
export default async function globalSetup(): Promise<void> {
  if (!existsSync(path.join(__dirname, '..', '..', 'dist', 'manifest.json'))) await buildAll();
  const dynamo = await startDynamoLocal();
  globalThis.__dynamoLocal = dynamo;
  process.env.DYNAMO_ENDPOINT = dynamo.endpoint;
}
