/**
 * Pushes a frame to every live connection of a user in the running sandbox, the way a backend does:
 * the connection store finds the connections (Query on GSI1), the AWS SDK's Management API client posts.
 *
 *   npm run push -- --user <userId> '{"hello":"world"}'
 *   npm run push -- --connection <connectionId> 'text'
 *
 * It finds the sandbox through .sandbox/state.json, written by npm start.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../functions/lib/dynamo';
import { createPusher } from '../functions/lib/push';
import { createConnectionStore } from '../functions/lib/store';

const STATE_FILE = path.join(__dirname, '..', '.sandbox', 'state.json');
const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = args[0];
  const target = args[1];
  const data = args[2];
  if ((flag !== '--user' && flag !== '--connection') || !target || data === undefined) {
    throw new Error(`usage: npm run push -- --user <userId> '<frame>'  |  --connection <connectionId> '<frame>'`);
  }
  const state = sandboxState();
  const management = new ApiGatewayManagementApiClient({ endpoint: state.managementEndpoint, region: 'us-east-1', credentials });
  const store = createConnectionStore({
    client: createDocumentClient(new DynamoDBClient({ endpoint: state.dynamoEndpoint, region: 'us-east-1', credentials })),
    tableName: state.tableName,
  });
  const pusher = createPusher({ client: management, store });

  const ids = flag === '--connection' ? [target] : (await store.listUserConnections(target)).connections.map((c) => c.connectionId);
  if (ids.length === 0) throw new Error(`no live connection for user ${target}`);
  for (const connectionId of ids) console.log(`${connectionId}: ${await pusher.send({ connectionId, data })}`);
}

/** Where the running sandbox is, as `npm start` recorded it in .sandbox/state.json. */
function sandboxState(): { managementEndpoint: string; dynamoEndpoint: string; tableName: string } {
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
