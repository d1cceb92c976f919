import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import schema from '../modules/connection-store/schema.json';

/**
 * The table's key schema, read from the same file the Terraform module reads
 * (modules/connection-store/schema.json), so the sandbox and AWS cannot drift apart.
 */
export const TABLE_SCHEMA = schema;

/**
 * Creates the single table as the Terraform module declares it (keys, GSIs, TTL attribute) and waits
 * until it is active. An existing table is left as it is.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: schema.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type as 'S' | 'N' | 'B' })),
        KeySchema: [
          { AttributeName: schema.hashKey, KeyType: 'HASH' },
          { AttributeName: schema.rangeKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: schema.globalSecondaryIndexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.hashKey, KeyType: 'HASH' },
            { AttributeName: index.rangeKey, KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: index.projectionType as 'ALL' | 'INCLUDE' | 'KEYS_ONLY',
            ...('nonKeyAttributes' in index ? { NonKeyAttributes: index.nonKeyAttributes } : {}),
          },
        })),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    return;
  }
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: schema.ttlAttribute, Enabled: true } }),
  );
}
