import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ifConditionHolds } from './conditional-write';
import { handshakeCountKey } from '../../../packages/contract/src/table-keys';

export interface HandshakeLimit {
  /** Handshakes one source IP may make per window; 0 turns the limit off. */
  handshakes: number;
  windowSeconds: number;
}

/**
 * Counts a handshake against its source IP's budget on a counter item of the current fixed window
 * (`IP#{sourceIp}` / `WINDOW#{n}`, expiring with its window): one conditional UpdateItem, so the
 * limit holds across every Lambda container. False when the IP is over its budget.
 *
 * @example
 * if (!(await countHandshake({ client, tableName, sourceIp, limit: { handshakes: 20, windowSeconds: 60 }, nowMs: Date.now() }))) return { statusCode: 429 };
 */
export async function countHandshake({
  client,
  tableName,
  sourceIp,
  limit,
  nowMs,
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
  sourceIp: string;
  limit: HandshakeLimit;
  nowMs: number;
}): Promise<boolean> {
  if (limit.handshakes === 0) return true;
  const window = Math.floor(nowMs / 1000 / limit.windowSeconds);
  const counted = await ifConditionHolds(
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: handshakeCountKey(sourceIp, window),
        UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
        // Expires a minute after its window ends (epoch seconds); nothing reads a past window.
        ExpressionAttributeValues: { ':one': 1, ':limit': limit.handshakes, ':ttl': (window + 1) * limit.windowSeconds + 60 },
      }),
    ),
  );
  return counted !== undefined;
}
