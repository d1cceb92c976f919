import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { conditionFailedAt } from '../store/conditional-write';
import { HEAD, SEQ_DIGITS, USER_INDEX, channelPk, connectionKey, connectionPk, logSk, messageKey, subscriptionKey } from '../../../packages/contract/src/table-keys';
import { nowSeconds } from '../time';

/** One message in a channel's log. */
export interface LogEntry {
  seq: number;
  /** The message id. */
  id: string;
  /** The message's `data` as JSON text, exactly as published. */
  payload: string;
  /** Epoch milliseconds. */
  publishedAt: number;
}

export type SubscribeResult = 'subscribed' | 'already_subscribed' | 'limit' | 'gone';

export interface ChannelStore {
  /**
   * Gives the message the channel's next sequence number and writes it to the log, in one
   * transaction with a marker for its id: a message id seen before gets its first sequence number
   * back (`duplicate`) and nothing is written.
   */
  append(params: {
    channel: string;
    messageId: string;
    payload: string;
    publishedAt: number;
    /** The head as last seen (a caller that appends to a channel in a row); a stale one costs a retry. */
    knownHead?: number;
  }): Promise<{ seq: number; duplicate: boolean; planned: boolean }>;
  /** Records that every deliver record of the message was enqueued, so a redelivered publish stops early. */
  markPlanned(messageId: string): Promise<void>;
  /** The channel's last sequence number (0 when nothing was ever published). */
  head(channel: string): Promise<number>;
  /** Log entries with a sequence number above `afterSeq`, oldest first, live ones only. */
  readLog(channel: string, afterSeq: number, limit: number): Promise<LogEntry[]>;
  /** Subscribes a connection (counted on its item against `maxSubscriptions`) until `expiresAt` (epoch s). */
  subscribe(params: { channel: string; connectionId: string; expiresAt: number; maxSubscriptions: number }): Promise<SubscribeResult>;
  /** True when the connection was subscribed. */
  unsubscribe(params: { channel: string; connectionId: string }): Promise<boolean>;
  /** Removes every subscription of a connection (its `$disconnect`, or a 410); returns how many. */
  deleteSubscriptions(connectionId: string): Promise<number>;
}

const MAX_APPEND_ATTEMPTS = 8;
/** A channel's head outlives its last message by this much, so sequence numbers do not restart while clients may still hold them. */
const HEAD_GRACE_SECONDS = 30 * 86_400;

/**
 * The channel half of the single table: heads, logs and subscriptions (docs/data-model.md).
 *
 * @example
 * const channels = createChannelStore({ client: createDocumentClient(), tableName, retentionSeconds: 3600, markerTtlSeconds: 345600 });
 * const { seq } = await channels.append({ channel: 'news', messageId, payload: '{"x":1}', publishedAt: Date.now() });
 */
export function createChannelStore({
  client,
  tableName,
  retentionSeconds,
  markerTtlSeconds,
  now = () => nowSeconds(),
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** How long the log keeps a message. Absent in a store that never appends (it only reads and unsubscribes). */
  retentionSeconds?: number;
  /** How long a message id is remembered (at least the queue's retention). Absent like `retentionSeconds`. */
  markerTtlSeconds?: number;
  now?: () => number;
}): ChannelStore {
  const head = async (channel: string): Promise<number> => {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: { PK: channelPk(channel), SK: HEAD }, ConsistentRead: true, ProjectionExpression: 'seq' }),
    );
    return typeof Item?.seq === 'number' ? Item.seq : 0;
  };

  return {
    head,

    async append({ channel, messageId, payload, publishedAt, knownHead }) {
      if (retentionSeconds === undefined || markerTtlSeconds === undefined) throw new Error('this channel store was created without retentionSeconds and markerTtlSeconds: it cannot append');
      for (let attempt = 1; ; attempt++) {
        const previous = attempt === 1 && knownHead !== undefined ? knownHead : await head(channel);
        const seq = previous + 1;
        const at = now();
        try {
          await client.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: tableName,
                    Key: { PK: channelPk(channel), SK: HEAD },
                    UpdateExpression: 'SET seq = :seq, #type = :type, #ttl = :ttl',
                    ConditionExpression: previous === 0 ? 'attribute_not_exists(seq)' : 'seq = :previous',
                    ExpressionAttributeNames: { '#type': 'type', '#ttl': 'ttl' },
                    ExpressionAttributeValues: {
                      ':seq': seq,
                      ':type': 'channel_head',
                      ':ttl': at + retentionSeconds + HEAD_GRACE_SECONDS,
                      ...(previous === 0 ? {} : { ':previous': previous }),
                    },
                  },
                },
                {
                  Put: {
                    TableName: tableName,
                    Item: { PK: channelPk(channel), SK: logSk(seq), type: 'channel_log', seq, messageId, payload, publishedAt, ttl: at + retentionSeconds },
                    ConditionExpression: 'attribute_not_exists(PK)',
                  },
                },
                {
                  Put: {
                    TableName: tableName,
                    Item: { ...messageKey(messageId), type: 'message', channel, seq, ttl: at + markerTtlSeconds },
                    ConditionExpression: 'attribute_not_exists(PK)',
                  },
                },
              ],
            }),
          );
          return { seq, duplicate: false, planned: false };
        } catch (error) {
          if (conditionFailedAt(error, 2)) {
            const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: messageKey(messageId), ConsistentRead: true }));
            if (Item?.channel !== channel) throw new Error(`message id ${messageId} was already used on another channel`, { cause: error });
            return { seq: Item.seq as number, duplicate: true, planned: Item.planned === true };
          }
          const raced = conditionFailedAt(error, 0) || conditionFailedAt(error, 1) || (error instanceof Error && error.name === 'TransactionConflictException');
          if (!raced || attempt >= MAX_APPEND_ATTEMPTS) throw error;
        }
      }
    },

    async markPlanned(messageId) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: messageKey(messageId),
          UpdateExpression: 'SET planned = :true',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    },

    async readLog(channel, afterSeq, limit) {
      const entries: LogEntry[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const result = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
            FilterExpression: '#ttl > :now',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':pk': channelPk(channel), ':from': logSk(afterSeq + 1), ':to': `SEQ#${'9'.repeat(SEQ_DIGITS)}`, ':now': now() },
            Limit: limit - entries.length,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of result.Items ?? []) {
          entries.push({ seq: item.seq as number, id: item.messageId as string, payload: item.payload as string, publishedAt: item.publishedAt as number });
        }
        startKey = result.LastEvaluatedKey;
      } while (startKey && entries.length < limit);
      return entries;
    },

    async subscribe({ channel, connectionId, expiresAt, maxSubscriptions }) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: connectionKey(connectionId),
                  UpdateExpression: 'ADD subscriptionCount :one',
                  ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(subscriptionCount) OR subscriptionCount < :max)',
                  ExpressionAttributeValues: { ':one': 1, ':max': maxSubscriptions },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...subscriptionKey(channel, connectionId),
                    GSI1PK: connectionPk(connectionId),
                    GSI1SK: channelPk(channel),
                    type: 'subscription',
                    channel,
                    connectionId,
                    ttl: expiresAt,
                  },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
            ],
          }),
        );
        return 'subscribed';
      } catch (error) {
        if (conditionFailedAt(error, 1)) return 'already_subscribed';
        if (!conditionFailedAt(error, 0)) throw error;
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: connectionKey(connectionId), ConsistentRead: true, ProjectionExpression: 'PK' }));
        return Item ? 'limit' : 'gone';
      }
    },

    async unsubscribe({ channel, connectionId }) {
      // One transaction: a failure between the delete and the count's update would leave the count
      // one too high for the connection's life (and its subscription limit one lower).
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Delete: { TableName: tableName, Key: subscriptionKey(channel, connectionId), ConditionExpression: 'attribute_exists(PK)' } },
              {
                Update: {
                  TableName: tableName,
                  Key: connectionKey(connectionId),
                  UpdateExpression: 'ADD subscriptionCount :minusOne',
                  ConditionExpression: 'attribute_exists(PK) AND subscriptionCount > :zero',
                  ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (conditionFailedAt(error, 0)) return false;
        if (!conditionFailedAt(error, 1)) throw error;
      }
      // The connection is gone (or never counted this subscription): nothing to decrement.
      const { Attributes } = await client.send(
        new DeleteCommand({ TableName: tableName, Key: subscriptionKey(channel, connectionId), ReturnValues: 'ALL_OLD' }),
      );
      return Attributes !== undefined;
    },

    async deleteSubscriptions(connectionId) {
      let deleted = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const result = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: USER_INDEX,
            KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
            ExpressionAttributeValues: { ':pk': connectionPk(connectionId), ':prefix': 'CHANNEL#' },
            ProjectionExpression: 'PK, SK',
            ExclusiveStartKey: startKey,
          }),
        );
        const keys = (result.Items ?? []).map((item) => ({ PK: item.PK as string, SK: item.SK as string }));
        for (let i = 0; i < keys.length; i += 25) await batchDelete(client, tableName, keys.slice(i, i + 25));
        deleted += keys.length;
        startKey = result.LastEvaluatedKey;
      } while (startKey);
      return deleted;
    },
  };
}

/** BatchWriteItem deletes, retrying what DynamoDB leaves unprocessed (throttling) with a short backoff. */
async function batchDelete(client: DynamoDBDocumentClient, tableName: string, keys: Array<{ PK: string; SK: string }>): Promise<void> {
  let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    if (attempt > 8) throw new Error(`BatchWriteItem left ${requests.length} deletes unprocessed`);
    const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
    requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
  }
}
