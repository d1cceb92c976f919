import { BatchGetCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { connectionInfoOfItem, isLiveConnectionItem, type ConnectionInfo } from '../../contract/src/connection-item';
import { readTarget } from '../../contract/src/queue-message';
import { METADATA, TENANT_INDEX, USER_INDEX, connectionKey, connectionPk, tenantPk, userPk } from '../../contract/src/table-keys';
import { PublishError } from './errors';

export type { ConnectionInfo } from '../../contract/src/connection-item';

/** A page of a tenant's connections; `cursor` (opaque) asks for the next, absent on the last page. */
export interface ConnectionPage {
  connections: ConnectionInfo[];
  cursor?: string;
}

/** The read half of the connection store: who is connected, with their identity and session. */
export interface ConnectionReader {
  /** One connection, or undefined when it is not connected. */
  get(connectionId: string): Promise<ConnectionInfo | undefined>;
  /** Every connection of a user (a user holds few: every page is read). */
  getByUser(userId: string): Promise<ConnectionInfo[]>;
  /** A tenant's connections, a page at a time (`limit` 1–100, 100 by default). */
  getByTenant(tenantId: string, page?: { cursor?: string; limit?: number }): Promise<ConnectionPage>;
}

const MAX_PAGE = 100;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

const checkedId = (type: 'connection' | 'user' | 'tenant', value: unknown): string => {
  const field = `${type}Id`;
  const read = readTarget({ type, [field]: value });
  if (!read.ok) {
    const rule = type === 'connection' ? '1–256 printable ASCII characters without spaces' : '1–256 characters without control characters, lone surrogates or U+FFFE/U+FFFF';
    throw new PublishError(`${field} must be ${rule}`, 'BAD_TARGET');
  }
  return value as string;
};

/** A cursor is the tenant index's last key, base64url JSON; one of another tenant or not of ours is refused. */
function readCursor(cursor: unknown, tenantId: string): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const bad = () => new PublishError('cursor must be one a getByTenant of the same tenant returned', 'BAD_PAGE');
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw bad();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const fields = ['PK', 'SK', 'GSI2PK', 'GSI2SK'];
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw bad();
  const record = key as Record<string, unknown>;
  if (Object.keys(record).length !== fields.length || !fields.every((name) => typeof record[name] === 'string')) throw bad();
  if (record.GSI2PK !== tenantPk(tenantId)) throw bad();
  return record as Record<string, string>;
}

/**
 * Reads connections from the stack's table (the module's `table_name` output): GetItem for one, a
 * Query of the user index (GSI1) for a user's, a Query of the tenant index (GSI2, keys only) and a
 * BatchGetItem of the page's items for a tenant's. Items past their TTL count as gone.
 *
 * @example
 * const reader = createConnectionReader({ documents, tableName });
 * const { connections, cursor } = await reader.getByTenant('acme', { limit: 50 });
 */
export function createConnectionReader({ documents, tableName }: { documents: DynamoDBDocumentClient; tableName: string }): ConnectionReader {
  const live = (item: Record<string, unknown>) => isLiveConnectionItem(item, nowSeconds());
  return {
    async get(connectionId) {
      const id = checkedId('connection', connectionId);
      const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: connectionKey(id) }));
      return Item && live(Item) && typeof Item.userId === 'string' ? connectionInfoOfItem(Item) : undefined;
    },

    async getByUser(userId) {
      const id = checkedId('user', userId);
      const found: ConnectionInfo[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: USER_INDEX,
            KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
            ExpressionAttributeValues: { ':pk': userPk(id), ':prefix': connectionPk('') },
            ExclusiveStartKey: start,
          }),
        );
        found.push(...(page.Items ?? []).filter((item) => item.SK === METADATA && live(item)).map(connectionInfoOfItem));
        start = page.LastEvaluatedKey;
      } while (start);
      return found;
    },

    async getByTenant(tenantId, { cursor, limit = MAX_PAGE } = {}) {
      const id = checkedId('tenant', tenantId);
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new PublishError(`limit must be a whole number from 1 to ${MAX_PAGE}`, 'BAD_PAGE');
      const page = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TENANT_INDEX,
          KeyConditionExpression: 'GSI2PK = :pk',
          ExpressionAttributeValues: { ':pk': tenantPk(id) },
          Limit: limit,
          ExclusiveStartKey: readCursor(cursor, id),
        }),
      );
      const keys = (page.Items ?? []).filter(live).map((item) => ({ PK: item.PK as string, SK: item.SK as string }));
      const items = await getAll(documents, tableName, keys);
      // In the index's order (connection id), which BatchGetItem does not keep.
      const byPk = new Map(items.filter(live).map((item) => [item.PK as string, item]));
      const connections = keys.flatMap(({ PK }) => (byPk.has(PK) ? [connectionInfoOfItem(byPk.get(PK)!)] : []));
      const next = page.LastEvaluatedKey;
      return next ? { connections, cursor: Buffer.from(JSON.stringify(next)).toString('base64url') } : { connections };
    },
  };
}

/** BatchGetItem of up to 100 keys, asking again for what DynamoDB left unprocessed (with a short backoff). */
async function getAll(documents: DynamoDBDocumentClient, tableName: string, keys: Array<Record<string, string>>): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let pending: Array<Record<string, unknown>> = keys;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= 8) throw new PublishError(`DynamoDB left ${pending.length} connection items unread after ${attempt} tries`, 'TABLE_REJECTED');
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)));
    const result = await documents.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending } } }));
    items.push(...(result.Responses?.[tableName] ?? []));
    pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return items;
}
