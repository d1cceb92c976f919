import { BatchGetCommand, DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ifConditionHolds } from '../../../../functions/lib/store/conditional-write';
import { ipLoginFailuresKey, loginFailuresKey } from '../../../contract/src/table-keys';
import type { LoginSettings } from './settings';

type Key = { PK: string; SK: string };

/** One counter's state: failures counted in its window, and the lockout's end (epoch s) while locked. */
export interface CounterStatus {
  failures: number;
  locked: boolean;
  /** Epoch seconds; present while locked. */
  lockedUntil?: number;
}

/** Attempt status of an account and a source IP, for rate limiting before a login is even tried. */
export interface AttemptStatus {
  user: CounterStatus;
  ip: CounterStatus;
  /** Either is locked. */
  locked: boolean;
  /** Seconds until both lockouts have ended (0 when not locked), for a `Retry-After`. */
  retryAfterSeconds: number;
}

const UNLOCKED: CounterStatus = { failures: 0, locked: false };

/**
 * A counter item holds `failures`, `expiresAt` (epoch s: the end of its counting window, or of its
 * lockout once locked) and `lockedUntil`. An item past `expiresAt` counts nothing whether or not TTL
 * has deleted it yet; the next failure starts it afresh.
 */
function statusOf(item: Record<string, unknown> | undefined, nowSeconds: number): CounterStatus {
  if (!item || Number(item.expiresAt) <= nowSeconds) return UNLOCKED;
  const lockedUntil = Number(item.lockedUntil ?? 0);
  return lockedUntil > nowSeconds ? { failures: Number(item.failures), locked: true, lockedUntil } : { failures: Number(item.failures), locked: false };
}

/**
 * Failed-attempt counters per account (`LOGIN#{email}` / `FAILURES`) and per source IP
 * (`IP#{ip}` / `LOGINFAILURES`), each counting in a window from its first failure and locking when it
 * reaches its threshold, for `lockoutSeconds`; after the lockout the count starts again from zero.
 */
export function createAttemptCounters({ client, tableName, settings }: { client: DynamoDBDocumentClient; tableName: string; settings: LoginSettings }) {
  const update = async (key: Key, expression: string, condition: string, values: Record<string, unknown>): Promise<Record<string, unknown> | undefined> => {
    const result = await ifConditionHolds(
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: expression,
          ConditionExpression: condition,
          ...(expression.includes('#ttl') ? { ExpressionAttributeNames: { '#ttl': 'ttl' } } : {}),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return result?.Attributes;
  };

  /** Counts one failure; locks the counter when it reaches `max`. Returns the status after it. */
  const countFailure = async (key: Key, max: number, nowSeconds: number): Promise<CounterStatus> => {
    const windowEnd = nowSeconds + settings.failureWindowSeconds;
    const increment = () => update(key, 'ADD failures :one', 'expiresAt > :now', { ':one': 1, ':now': nowSeconds });
    // A fresh window with this failure; misses when another failure opened it first (then it is counted in that one).
    const open = () =>
      update(key, 'SET failures = :one, expiresAt = :end, #ttl = :end REMOVE lockedUntil', 'attribute_not_exists(PK) OR expiresAt <= :now', {
        ':one': 1,
        ':end': windowEnd,
        ':now': nowSeconds,
      });
    const item = (await increment()) ?? (await open()) ?? (await increment());
    if (!item) throw new Error(`the failure counter ${key.PK} changed three times in a row`);
    const status = statusOf(item, nowSeconds);
    if (status.locked || status.failures < max) return status;
    // Only the failure that reaches the threshold first sets the lockout, so racing ones do not extend it.
    const until = nowSeconds + settings.lockoutSeconds;
    const locked = await update(key, 'SET lockedUntil = :until, expiresAt = :until, #ttl = :until', 'failures >= :max AND (attribute_not_exists(lockedUntil) OR lockedUntil <= :now)', {
      ':until': until,
      ':max': max,
      ':now': nowSeconds,
    });
    return locked ? statusOf(locked, nowSeconds) : { failures: status.failures, locked: true, lockedUntil: until };
  };

  return {
    /** The status of an account and a source IP: one BatchGetItem (consistent) of both counters. */
    async status({ email, ip, nowSeconds }: { email: string; ip: string; nowSeconds: number }): Promise<AttemptStatus> {
      const [userKey, ipKey] = [loginFailuresKey(email), ipLoginFailuresKey(ip)];
      const { Responses } = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [userKey, ipKey], ConsistentRead: true } } }));
      const items = Responses?.[tableName] ?? [];
      const find = (key: Key) => items.find((item) => item.PK === key.PK && item.SK === key.SK);
      const user = statusOf(find(userKey), nowSeconds);
      const ipStatus = statusOf(find(ipKey), nowSeconds);
      const retryAfterSeconds = Math.max(0, ...[user, ipStatus].map((s) => (s.lockedUntil ?? nowSeconds) - nowSeconds));
      return { user, ip: ipStatus, locked: user.locked || ipStatus.locked, retryAfterSeconds };
    },

    /** Counts a failure against both the account and the source IP. */
    async countFailure({ email, ip, nowSeconds }: { email: string; ip: string; nowSeconds: number }): Promise<{ user: CounterStatus; ip: CounterStatus }> {
      const [user, ipStatus] = await Promise.all([
        countFailure(loginFailuresKey(email), settings.maxFailuresPerUser, nowSeconds),
        countFailure(ipLoginFailuresKey(ip), settings.maxFailuresPerIp, nowSeconds),
      ]);
      return { user, ip: ipStatus };
    },

    /** A successful login clears the account's count (never the IP's: one good account must not reset an address that guesses others). */
    async clearUser({ email, nowSeconds }: { email: string; nowSeconds: number }): Promise<void> {
      // A lockout set by a racing failure since the status was read stays.
      await ifConditionHolds(
        client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: loginFailuresKey(email),
            ConditionExpression: 'attribute_not_exists(lockedUntil) OR lockedUntil <= :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        ),
      );
    },
  };
}

export type AttemptCounters = ReturnType<typeof createAttemptCounters>;
