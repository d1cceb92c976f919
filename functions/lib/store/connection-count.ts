import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { conditionFailedAt, newWriteId, writeUnlessConflict } from './conditional-write';
import { USER_INDEX, connectionCountKey, userPk } from '../../../packages/contract/src/table-keys';
import { fingerprint, log } from '../log';

/** One write of a TransactWriteItems request. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * A user's connection counter as stored (`USER#{userId}` / `CONNECTIONS`): how many connection items
 * counted in its `generation` exist. An expired counter (its `ttl`, the latest counted connection's
 * expiry, has passed) counts nothing: the next count-in starts a new generation.
 */
interface Counter {
  count: number;
  generation: string;
  /** Epoch seconds; the table's TTL attribute. */
  ttl: number;
  /** When a connection was last counted in, epoch milliseconds (guards the repair against index lag). */
  countedAt: number;
}

/** The outcome of a counted write: done, refused at the cap, or the caller's own item's condition failed. */
export type CountInResult = 'counted' | 'full' | 'condition_failed';

/** The counter could not be updated within its attempts (contention beyond what a handshake should wait for). */
export class ConnectionCountError extends Error {
  override readonly name = 'ConnectionCountError';
}

const ATTEMPTS = 12;
/** A repair never lowers a counter changed this recently: GSI1 may not show a just-counted connection yet. */
export const REPAIR_MIN_AGE_MS = 60_000;

const pause = (attempt: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));

/**
 * The per-user connection counter, kept in step with the connection items by transactions: a
 * connection is counted in (the counter's conditional `count < cap` update) in the same
 * TransactWriteItems that writes it, and counted out in the same one that deletes it, so a double
 * delete never decrements twice and a race of handshakes never passes the cap.
 *
 * @example
 * const counts = createConnectionCounter({ client, tableName });
 * const result = await counts.countIn({ userId, cap: 10, expiresAt, write: (generation) => ({ Put: { … } }) });
 */
export function createConnectionCounter({
  client,
  tableName,
  nowMs = () => Date.now(),
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
  nowMs?: () => number;
}): ConnectionCounter {
  const read = async (userId: string): Promise<Counter | undefined> => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: connectionCountKey(userId), ConsistentRead: true }));
    return Item as Counter | undefined;
  };

  /** The counter update counting one more connection, given the counter as read. */
  const increment = (userId: string, counter: Counter | undefined, cap: number, expiresAt: number): { item: TransactItem; generation: string } => {
    const now = nowMs();
    const live = counter !== undefined && counter.ttl > Math.floor(now / 1000);
    if (live) {
      return {
        generation: counter.generation,
        item: {
          Update: {
            TableName: tableName,
            Key: connectionCountKey(userId),
            UpdateExpression: 'ADD #count :one SET #ttl = :ttl, countedAt = :now',
            ConditionExpression: 'generation = :generation AND #count < :cap',
            ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':one': 1, ':ttl': Math.max(counter.ttl, expiresAt), ':now': now, ':generation': counter.generation, ':cap': cap },
          },
        },
      };
    }
    // Absent, or expired with every connection it counted: a new generation starts at 1.
    const generation = randomUUID();
    return {
      generation,
      item: {
        Update: {
          TableName: tableName,
          Key: connectionCountKey(userId),
          UpdateExpression: 'SET #count = :one, #ttl = :ttl, countedAt = :now, generation = :generation',
          ConditionExpression: counter === undefined ? 'attribute_not_exists(PK)' : 'generation = :old',
          ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':ttl': expiresAt,
            ':now': now,
            ':generation': generation,
            ...(counter === undefined ? {} : { ':old': counter.generation }),
          },
        },
      },
    };
  };

  /** See {@link ConnectionCounter.repair}. */
  const repair = async (userId: string): Promise<number | undefined> => {
    const counter = await read(userId);
    if (!counter || nowMs() - counter.countedAt < REPAIR_MIN_AGE_MS) return undefined;
    let found = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: USER_INDEX,
          KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
          FilterExpression: 'countedIn = :generation',
          ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': 'CONNECTION#', ':generation': counter.generation },
          Select: 'COUNT',
          ExclusiveStartKey: startKey,
        }),
      );
      found += result.Count ?? 0;
      startKey = result.LastEvaluatedKey;
    } while (startKey && found < counter.count);
    // Only ever lowered: a connection deleted a moment ago may still show in the index.
    if (found >= counter.count) return undefined;
    // A retry of this repair (its answer lost) meets its own count: repaired all the same.
    const writeId = newWriteId();
    const repaired = await writeUnlessConflict(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: connectionCountKey(userId),
          UpdateExpression: 'SET #count = :found, writeId = :writeId',
          ConditionExpression: 'generation = :generation AND #count = :seen AND countedAt = :countedAt',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':found': found, ':generation': counter.generation, ':seen': counter.count, ':countedAt': counter.countedAt, ':writeId': writeId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
      writeId,
    );
    if (!repaired) return undefined;
    log({ event: 'connection_count_repaired', level: 'warn', user: fingerprint(userId), was: counter.count, now: found });
    return found;
  };

  return {
    async countIn({ userId, cap, expiresAt, write }) {
      let repaired = false;
      for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
        const counter = await read(userId);
        if (counter && counter.ttl > Math.floor(nowMs() / 1000) && counter.count >= cap) {
          // At the cap, a counter that drifted (connections the table's TTL deleted) is repaired, once,
          // for every caller ($connect and two-phase auth alike).
          if (repaired || (await repair(userId)) === undefined) return 'full';
          repaired = true;
          continue;
        }
        const { item, generation } = increment(userId, counter, cap, expiresAt);
        try {
          await client.send(new TransactWriteCommand({ TransactItems: [write(generation), item] }));
          return 'counted';
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          if (conditionFailedAt(error, 0)) return 'condition_failed';
          // The counter moved (another count-in or a new generation) or the transactions conflicted: read again.
          await pause(attempt);
        }
      }
      throw new ConnectionCountError(`the connection counter of ${fingerprint(userId)} stayed contended for ${ATTEMPTS} attempts`);
    },

    decrement(userId, generation) {
      return {
        Update: {
          TableName: tableName,
          Key: connectionCountKey(userId),
          UpdateExpression: 'ADD #count :minus',
          ConditionExpression: 'generation = :generation AND #count > :zero',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':minus': -1, ':generation': generation, ':zero': 0 },
        },
      };
    },

    repair(userId) {
      return repair(userId);
    },
  };
}

/**
 * The counter's operations. An interface (not the factory's inferred type) so that a function's
 * permissions follow the members it calls (scripts/sdk-actions.ts).
 */
export interface ConnectionCounter {
  /**
   * Writes `write(generation)` (a connection item, which must record the generation as
   * `countedIn`) and counts it in, atomically, unless the user already holds `cap` counted
   * connections. `condition_failed` when the caller's own item's condition failed.
   */
  countIn(input: { userId: string; cap: number; expiresAt: number; write: (generation: string) => TransactItem }): Promise<CountInResult>;
  /** The counter update counting one connection of `generation` out (a no-op condition for another generation). */
  decrement(userId: string, generation: string): TransactItem;
  /**
   * Recounts the user's connection items of the counter's generation (a Query on GSI1, counting at
   * most one more than the counter) and lowers a counter that says more: items the table's TTL
   * deleted were never counted out. Skipped while a count-in is recent. Returns the count it set.
   */
  repair(userId: string): Promise<number | undefined>;
}
