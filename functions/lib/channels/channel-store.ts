import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { cancellationReasons, conditionFailedAt, ifConditionHolds } from '../store/conditional-write';
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

/** A channel's head: its last sequence number and, while its deliveries go through deliver records, until when (epoch s). */
export interface ChannelHead {
  seq: number;
  stagedUntil?: number;
}

/** One message to append to a channel's log. */
export interface Appending {
  messageId: string;
  payload: string;
  publishedAt: number;
}

/** What became of an appended message: its sequence number, or the one it got before (`duplicate`) with what its ledger holds. */
export interface Appended {
  messageId: string;
  seq: number;
  duplicate: boolean;
  /** Every connection of its audience was served (or its deliver records were all enqueued). */
  planned: boolean;
  /** Connections already served directly (a duplicate's ledger, on its marker). */
  done: Set<string>;
}

/** What to record on a message's marker once it was handled: its ledger of served connections, or `planned` when nothing is left. */
export interface Handled {
  messageId: string;
  planned: boolean;
  done: string[];
}

export interface ChannelStore {
  /**
   * Gives the messages, in order, the channel's next sequence numbers and writes them to the log: one
   * transaction for as many as DynamoDB takes (100 items, 4 MB), each with a marker for its id. A
   * message id seen before gets its first sequence number back (`duplicate`) and nothing is written
   * for it. No read: the head is written on the condition that it is still `knownHead` (absent: no
   * head yet), and a refused condition brings back what is there, so a stale guess costs one retry.
   * `stageUntil` is written on the head (the channel's deliveries go through deliver records until
   * then); the answer's head carries the channel's `stagedUntil` after the append.
   */
  append(params: { channel: string; messages: Appending[]; knownHead?: ChannelHead; stageUntil?: number }): Promise<{ head: ChannelHead; appended: Appended[] }>;
  /** Records on the messages' markers what was handled (one request), so a redelivered publish skips it. */
  recordHandled(handled: Handled[]): Promise<void>;
  /**
   * Writes `stagedUntil` on an existing head unless it already says as late or later (one
   * UpdateItem): for a run that goes through deliver records and appended nothing (all redelivered).
   */
  stage(channel: string, until: number): Promise<void>;
  /** The channel's head as stored (`seq` 0 when nothing was ever published). */
  headOf(channel: string): Promise<ChannelHead>;
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
/** DynamoDB's limits for one TransactWriteItems: 100 items, 4 MB together (kept to 3.5 MB for keys and attribute names). */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_TRANSACTION_BYTES = 3_500_000;

/** The longest prefix of `messages` one append transaction takes: the head, then a log entry and a marker each. */
function transactionChunk(messages: Appending[]): Appending[] {
  let bytes = 0;
  let count = 0;
  for (const { payload, messageId } of messages) {
    bytes += Buffer.byteLength(payload, 'utf8') + 2 * messageId.length + 400;
    if (count > 0 && (1 + 2 * (count + 1) > MAX_TRANSACTION_ITEMS || bytes > MAX_TRANSACTION_BYTES)) break;
    count++;
  }
  return messages.slice(0, count);
}

/** A head item as read (none: a channel nothing was published to). */
const headFrom = (item: Record<string, unknown> | undefined): ChannelHead => ({
  seq: typeof item?.seq === 'number' ? item.seq : 0,
  ...(typeof item?.stagedUntil === 'number' ? { stagedUntil: item.stagedUntil } : {}),
});
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
  const headOf = async (channel: string): Promise<ChannelHead> => {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: { PK: channelPk(channel), SK: HEAD }, ConsistentRead: true, ProjectionExpression: 'seq, stagedUntil' }),
    );
    return headFrom(Item);
  };

  /** One transaction: the head moved from `previous` past `messages`, their log entries and markers. */
  const appendOnce = async (channel: string, messages: Appending[], previous: ChannelHead, stageUntil: number | undefined): Promise<ChannelHead> => {
    const at = now();
    const stagedUntil = stageUntil ?? previous.stagedUntil;
    const last = previous.seq + messages.length;
    await client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: { PK: channelPk(channel), SK: HEAD },
              UpdateExpression: `SET seq = :seq, #type = :type, #ttl = :ttl${stageUntil === undefined ? '' : ', stagedUntil = :stagedUntil'}`,
              // The head as the caller knows it, `stagedUntil` included (`stage` writes it alone): a
              // head staged meanwhile fails the condition and comes back.
              ConditionExpression:
                previous.seq === 0
                  ? 'attribute_not_exists(seq)'
                  : `seq = :previous AND ${previous.stagedUntil === undefined ? 'attribute_not_exists(stagedUntil)' : 'stagedUntil = :previousStaged'}`,
              ExpressionAttributeNames: { '#type': 'type', '#ttl': 'ttl' },
              ExpressionAttributeValues: {
                ':seq': last,
                ':type': 'channel_head',
                ':ttl': at + retentionSeconds! + HEAD_GRACE_SECONDS,
                ...(previous.seq === 0 ? {} : { ':previous': previous.seq }),
                ...(previous.seq === 0 || previous.stagedUntil === undefined ? {} : { ':previousStaged': previous.stagedUntil }),
                ...(stageUntil === undefined ? {} : { ':stagedUntil': stageUntil }),
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          ...messages.flatMap(({ messageId, payload, publishedAt }, n) => {
            const seq = previous.seq + 1 + n;
            return [
              {
                Put: {
                  TableName: tableName,
                  Item: { PK: channelPk(channel), SK: logSk(seq), type: 'channel_log', seq, messageId, payload, publishedAt, ttl: at + retentionSeconds! },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...messageKey(messageId), type: 'message', channel, seq, ttl: at + markerTtlSeconds! },
                  ConditionExpression: 'attribute_not_exists(PK)',
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
                },
              },
            ];
          }),
        ],
      }),
    );
    return { seq: last, ...(stagedUntil === undefined ? {} : { stagedUntil }) };
  };

  return {
    head: async (channel) => (await headOf(channel)).seq,
    headOf,

    async append({ channel, messages, knownHead, stageUntil }) {
      if (retentionSeconds === undefined || markerTtlSeconds === undefined) throw new Error('this channel store was created without retentionSeconds and markerTtlSeconds: it cannot append');
      const found = new Map<string, Appended>();
      let head: ChannelHead = knownHead ?? { seq: 0 };
      let pending = [...messages];
      for (let attempt = 1; pending.length > 0; attempt++) {
        const chunk = transactionChunk(pending);
        try {
          head = await appendOnce(channel, chunk, head, stageUntil);
          chunk.forEach(({ messageId }, n) => found.set(messageId, { messageId, seq: head.seq - chunk.length + 1 + n, duplicate: false, planned: false, done: new Set() }));
          pending = pending.slice(chunk.length);
          attempt = 0;
          continue;
        } catch (error) {
          const reasons = cancellationReasons(error);
          if (!reasons) throw error;
          // A message seen before: its marker (brought back by the refused condition) holds its number and ledger.
          let duplicates = 0;
          chunk.forEach(({ messageId }, n) => {
            const reason = reasons[2 + 2 * n];
            if (reason?.Code !== 'ConditionalCheckFailed' || !reason.Item) return;
            const marker = unmarshall(reason.Item);
            if (marker.channel !== channel) throw new Error(`message id ${messageId} was already used on another channel`, { cause: error });
            found.set(messageId, { messageId, seq: marker.seq as number, duplicate: true, planned: marker.planned === true, done: marker.done instanceof Set ? (marker.done as Set<string>) : new Set() });
            duplicates++;
          });
          // Messages found appended before are progress, not a failed attempt: a long redelivered run
          // meets one refused transaction per 49 of them.
          if (duplicates > 0) {
            pending = pending.filter(({ messageId }) => !found.has(messageId));
            attempt = 0;
          }
          // A stale head: the refused condition brought back the head as it is (none: no head yet).
          if (reasons[0]?.Code === 'ConditionalCheckFailed') head = headFrom(reasons[0].Item ? unmarshall(reasons[0].Item) : undefined);
          else if (duplicates === 0 && reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) head = await headOf(channel);
          const raced = duplicates > 0 || reasons.some((reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict');
          if (!raced || attempt >= MAX_APPEND_ATTEMPTS) throw error;
        }
      }
      return { head, appended: messages.map(({ messageId }) => found.get(messageId)!) };
    },

    async recordHandled(handled) {
      const update = ({ messageId, planned, done }: Handled) => ({
        TableName: tableName,
        Key: messageKey(messageId),
        UpdateExpression: [planned ? 'SET planned = :true' : '', done.length > 0 ? 'ADD done :done' : ''].filter(Boolean).join(' '),
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ...(planned ? { ':true': true } : {}), ...(done.length > 0 ? { ':done': new Set(done) } : {}) },
      });
      const writes = handled.filter(({ planned, done }) => planned || done.length > 0);
      if (writes.length === 1) await client.send(new UpdateCommand(update(writes[0]!)));
      for (let i = 0; writes.length > 1 && i < writes.length; i += MAX_TRANSACTION_ITEMS) {
        await client.send(new TransactWriteCommand({ TransactItems: writes.slice(i, i + MAX_TRANSACTION_ITEMS).map((write) => ({ Update: update(write) })) }));
      }
    },

    async stage(channel, until) {
      await ifConditionHolds(
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { PK: channelPk(channel), SK: HEAD },
            UpdateExpression: 'SET stagedUntil = :until',
            ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(stagedUntil) OR stagedUntil < :until)',
            ExpressionAttributeValues: { ':until': until },
          }),
        ),
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
