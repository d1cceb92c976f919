import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { SessionCache } from '../cache/cache';
import { SessionContentionError } from '../errors';
import type { SessionMetrics } from '../metrics';
import type { SessionSettings } from '../settings';

/** One write of a TransactWriteItems request. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What every part of the service shares: the table, the settings, the clock, the cache and the counters. */
export interface StoreContext {
  client: DynamoDBDocumentClient;
  tableName: string;
  settings: SessionSettings;
  /** Epoch milliseconds. */
  nowMs: () => number;
  cache: SessionCache;
  metrics: SessionMetrics;
}

/** How many times a contended write is tried before `SessionContentionError`. */
export const ATTEMPTS = 40;

/**
 * Full jitter over an exponential ceiling (2 ms doubling, at most 64 ms): the writers contending for
 * one user's roster are that user's own devices, a handful at once, and each attempt is a request or two.
 */
export const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * 2 ** Math.min(attempt, 5)));

/** The code of each item of a cancelled transaction (`ConditionalCheckFailed`, `TransactionConflict`, `None`), by position. */
export const cancellationCodes = (error: TransactionCanceledException): string[] => (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');

/** Returned by an attempt that lost a race and should run again (after a backoff). */
export const RETRY = Symbol('retry');

/**
 * Runs `attempt` until it returns something other than `RETRY`, with jittered backoff between tries,
 * at most `ATTEMPTS` times; then `SessionContentionError`. Each retry is counted.
 *
 * @example
 * const session = await retrying(context, 'renew', async () => (await tryRenew()) ?? RETRY);
 */
export async function retrying<T>(context: StoreContext, what: string, attempt: () => Promise<T | typeof RETRY>): Promise<T> {
  for (let n = 0; n < ATTEMPTS; n += 1) {
    const result = await attempt();
    if (result !== RETRY) return result;
    context.metrics.count('SessionConflictsRetried');
    await backoff(n);
  }
  throw new SessionContentionError(`${what}: the user's sessions stayed contended for ${ATTEMPTS} attempts`);
}

/** Whether an error is a failed condition of a single write or a cancelled transaction. */
export const isConditionFailure = (error: unknown): error is ConditionalCheckFailedException | TransactionCanceledException =>
  error instanceof ConditionalCheckFailedException || error instanceof TransactionCanceledException;
