import type { Context } from 'aws-lambda';
import { readIntegerSetting, readStringSetting } from './lib/config/settings';
import { CONNECTION_MAX_SECONDS, SWEEP_PAGE_SIZE } from './sweeper.settings';
import { AUTH_EXPIRY_GRACE_SECONDS, MANAGEMENT_ENDPOINT, SESSION_GOAWAY_BEFORE_SECONDS, SESSION_RESUME_WINDOW_SECONDS } from './settings/shared';
import { EXPIRING_SHARDS, createSessionStore } from './lib/sessions/session-store';
import { createDocumentClient } from './lib/store/dynamo';
import { nowSeconds } from './lib/time';
import { connectionStoreFor } from './lib/store/dynamo';
import { readCommonConfig } from './lib/config/init';
import { EVERYONE_SHARDS, PENDING_SHARDS } from './lib/store/table-keys';
import { log } from './lib/log';
import { errorFrame } from './lib/protocol/frames';
import { managementClient } from './lib/push/management-api';
import { createPusher } from './lib/push/pusher';
import { removeConnection } from './lib/sessions/remove-connection';
import type { Page } from './lib/store/connection-store';

const config = readCommonConfig();
/** Not triggered by API Gateway, so it cannot derive the endpoint from an event. */
const endpoint = readStringSetting(MANAGEMENT_ENDPOINT) as string;
const documents = createDocumentClient();
const store = connectionStoreFor(config, documents);
const sessions = createSessionStore({ client: documents, tableName: config.tableName });
/** API Gateway closes every connection at 2 h; `goaway` goes out this long before, so clients resume without a gap. */
const maxConnectionSeconds = readIntegerSetting(CONNECTION_MAX_SECONDS);
const goawayBeforeSeconds = readIntegerSetting(SESSION_GOAWAY_BEFORE_SECONDS);
const resumeWindowSeconds = readIntegerSetting(SESSION_RESUME_WINDOW_SECONDS);
/** Items per Query page; a sweep reads page after page of every shard while its time lasts. */
const pageSize = readIntegerSetting(SWEEP_PAGE_SIZE);
const DEAD_GRACE_SECONDS = 60;
/** Time kept in reserve for the last item and the summary line (capped at a quarter of the run). */
const MARGIN_MS = 2_000;
/** How long past its token's `exp` a connection is left open (the message function's grace too). */
const authExpiryGraceSeconds = readIntegerSetting(AUTH_EXPIRY_GRACE_SECONDS);
// A connection found gone, past the cut or on a post, makes its session resumable; this sweeper purges it later.
const removal = { store, sessions: { store: sessions, resumeWindowSeconds } };
const pusher = createPusher({ client: managementClient(endpoint), ...removal });

export interface SweepResult {
  /** Connections closed for not authenticating in time (two-phase) or for a token past its expiry and grace. */
  closed: number;
  /** Ones that were already gone (410); their items were deleted. */
  gone: number;
  /** Inactive sessions past their resume window, purged. */
  expired: number;
  /** Connections near API Gateway's 2-hour cut told to reconnect (`goaway`). */
  goaway: number;
  /** Connections past the cut whose `$disconnect` never came: deleted, their sessions made resumable. */
  dead: number;
  /** Items whose handling failed (logged one by one); the next run tries them again. */
  failed: number;
  /** Users' connection counters lowered to the connections they still count. */
  repaired: number;
  /** The run's time ran out before every shard was read to its end; the next run goes on. */
  incomplete: boolean;
}

/** What a one-time expiry schedule sends: purge that session if it was not resumed. */
export interface ExpireInput {
  task: 'expire';
  sessionId: string;
}

/** Whether there is time left to start on one more item. */
type Budget = () => boolean;

/**
 * Whether a connection whose token deadline record is past should be closed now. The connection's
 * item is the truth: a refresh (`auth`) may have moved its expiry, and the record follows it here;
 * a record outliving its connection is deleted.
 */
async function tokenExpired(connectionId: string, recordedExpiresAt: number): Promise<boolean> {
  const connection = await store.getConnection(connectionId);
  const tokenExpiresAt = connection?.tokenExpiresAt;
  if (tokenExpiresAt === undefined) {
    await store.deleteTokenDeadline(connectionId);
    return false;
  }
  if (tokenExpiresAt !== recordedExpiresAt) {
    await store.putTokenDeadline({ connectionId, tokenExpiresAt, expiresAt: connection!.expiresAt });
    return false;
  }
  return nowSeconds() > tokenExpiresAt + authExpiryGraceSeconds;
}

/**
 * Visits every item of every page of `list` while the budget lasts; one item's failure is logged,
 * counted and skipped, never the end of the sweep. Returns false when the budget ran out first.
 */
async function sweepPages<T>(
  { job, result, budget }: { job: string; result: SweepResult; budget: Budget },
  list: (cursor: string | undefined) => Promise<Page<T>>,
  visit: (item: T) => Promise<void>,
  idOf: (item: T) => string,
): Promise<boolean> {
  let cursor: string | undefined;
  do {
    if (!budget()) return false;
    const page = await list(cursor);
    for (const item of page.items) {
      if (!budget()) return false;
      try {
        await visit(item);
      } catch (error) {
        result.failed += 1;
        const detail = error instanceof Error ? { errorName: error.name, errorMessage: error.message, cause: (error.cause as Error | undefined)?.name } : { errorMessage: String(error) };
        log({ event: 'sweep_failure', level: 'error', reason: job, id: idOf(item), ...detail }, { SweepFailures: 1 });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return true;
}

/** Tells connections near the 2-hour cut to reconnect; a `goaway` that cannot be posted is tried again next run. */
async function sendGoaways(result: SweepResult, budget: Budget): Promise<boolean> {
  const acceptedBefore = Date.now() - (maxConnectionSeconds - goawayBeforeSeconds) * 1000;
  let complete = true;
  for (let shard = 0; shard < EVERYONE_SHARDS; shard += 1) {
    complete &&= await sweepPages(
      { job: 'goaway', result, budget },
      (cursor) => store.listNearCut(shard, acceptedBefore, { limit: pageSize, cursor }),
      async ({ connectionId, connectedAt }) => {
        if (!(await store.claimGoaway(connectionId, connectedAt))) return;
        const frame = { type: 'goaway', reason: 'max_duration', closeAt: connectedAt + maxConnectionSeconds * 1000 };
        try {
          if ((await pusher.send({ connectionId, data: frame })) === 'sent') result.goaway += 1;
        } catch (error) {
          await store.releaseGoaway(connectionId, connectedAt);
          throw error;
        }
      },
      (item) => item.connectionId,
    );
  }
  return complete;
}

/**
 * Deletes connections past the cut (and a minute's grace: API Gateway has closed them) whose
 * `$disconnect` never came, then repairs the connection counters of their users.
 */
async function deleteDead(result: SweepResult, budget: Budget): Promise<boolean> {
  const deadBefore = Date.now() - (maxConnectionSeconds + DEAD_GRACE_SECONDS) * 1000;
  const users = new Set<string>();
  let complete = true;
  for (let shard = 0; shard < EVERYONE_SHARDS; shard += 1) {
    complete &&= await sweepPages(
      { job: 'dead', result, budget },
      (cursor) => store.listDead(shard, deadBefore, { limit: pageSize, cursor }),
      async (connectionId) => {
        // Its subscriptions expire with it (same TTL); its session starts its resume window now.
        const { removed } = await removeConnection(removal, connectionId);
        if (!removed) return;
        result.dead += 1;
        if (removed.userId) users.add(removed.userId);
      },
      (connectionId) => connectionId,
    );
  }
  // A connection whose $disconnect never came may have company the table's TTL deleted uncounted.
  complete &&= await sweepPages(
    { job: 'repair', result, budget },
    async () => ({ items: [...users] }),
    async (userId) => {
      if ((await store.repairConnectionCount(userId)) !== undefined) result.repaired += 1;
    },
    () => 'user',
  );
  return complete;
}

/** Purges sessions whose one-time schedule never ran (throttled, failed): a minute late at most. */
async function purgeExpired(result: SweepResult, budget: Budget): Promise<boolean> {
  let complete = true;
  for (let shard = 0; shard < EXPIRING_SHARDS; shard += 1) {
    // Purged sessions leave the index, so reading the first page again moves on; a page that purged
    // nothing (every item failed or was resumed meanwhile) ends the shard for this run.
    let purged = 1;
    let full = true;
    while (full && purged > 0) {
      purged = 0;
      const ids = budget() ? await sessions.listExpired(shard, nowSeconds(), pageSize) : undefined;
      if (ids === undefined) return false;
      full = ids.length === pageSize;
      complete &&= await sweepPages(
        { job: 'expire', result, budget },
        async () => ({ items: ids }),
        async (sessionId) => {
          if (await sessions.purgeIfExpired(sessionId, nowSeconds())) {
            result.expired += 1;
            purged += 1;
          }
        },
        (sessionId) => sessionId,
      );
    }
  }
  return complete;
}

/**
 * Closes two-phase connections that did not authenticate by their deadline, and connections whose
 * token expired more than AUTH_EXPIRY_GRACE_SECONDS ago without a refresh (idle or not), telling them
 * why first (`AUTH_EXPIRED`).
 */
async function closeOverduePending(result: SweepResult, budget: Budget): Promise<boolean> {
  let complete = true;
  for (let shard = 0; shard < PENDING_SHARDS; shard += 1) {
    complete &&= await sweepPages(
      { job: 'pending', result, budget },
      (cursor) => store.listOverduePending(shard, { limit: pageSize, cursor }),
      async (overdue) => {
        const { connectionId } = overdue;
        if (overdue.reason === 'token_expired' && !(await tokenExpired(connectionId, overdue.tokenExpiresAt))) return;
        const message = overdue.reason === 'token_expired' ? 'the token expired' : 'no auth before the deadline';
        const sent = await pusher.send({ connectionId, data: errorFrame({ code: 'AUTH_EXPIRED', message }) });
        if (sent === 'sent') await pusher.disconnect({ connectionId });
        // A pending connection has nothing else; an authenticated one is cleaned up by its $disconnect.
        if (overdue.reason === 'auth_deadline') await store.deleteConnection(connectionId);
        if (sent === 'sent') result.closed += 1;
        else result.gone += 1;
      },
      (connection) => connection.connectionId,
    );
  }
  return complete;
}

/**
 * Runs on the recurring schedule (EventBridge Scheduler, every minute by default): sends `goaway` to
 * connections within SESSION_GOAWAY_BEFORE_SECONDS of API Gateway's 2-hour cut, deletes connections
 * past the cut whose `$disconnect` never came (and repairs their users' connection counters), purges
 * inactive sessions past their resume window, closes two-phase connections that did not
 * authenticate by their deadline and connections whose token expired more than
 * AUTH_EXPIRY_GRACE_SECONDS ago without a refresh (`AUTH_EXPIRED` first). Finds each by Query, shard by shard and page
 * by page (SWEEP_PAGE_SIZE); never scans. One item's failure is logged (`sweep_failure`), counted
 * (`SweepFailures`) and tried again next run; the sweep goes on. When the run's time runs short it
 * stops and the next run, reading from the start, goes on where it stopped.
 * Also serves the one-time expiry schedules (`{"task":"expire","sessionId":…}`), which purge one
 * session on time unless it was resumed.
 */
export const handler = async (
  event?: Partial<ExpireInput> | { task?: string },
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<SweepResult> => {
  const result: SweepResult = { closed: 0, gone: 0, expired: 0, goaway: 0, dead: 0, failed: 0, repaired: 0, incomplete: false };
  if (event?.task === 'expire') {
    const { sessionId } = event as Partial<ExpireInput>;
    if (typeof sessionId === 'string' && (await sessions.purgeIfExpired(sessionId, nowSeconds()))) result.expired += 1;
    log({ event: 'session_expiry', sessionId, purged: result.expired === 1 }, { SessionsExpired: result.expired });
    return result;
  }
  const margin = context ? Math.min(MARGIN_MS, context.getRemainingTimeInMillis() / 4) : 0;
  const budget: Budget = () => !context || context.getRemainingTimeInMillis() > margin;
  let complete = await sendGoaways(result, budget);
  complete = (await deleteDead(result, budget)) && complete;
  complete = (await purgeExpired(result, budget)) && complete;
  complete = (await closeOverduePending(result, budget)) && complete;
  result.incomplete = !complete;
  log({ event: 'sweep', ...result }, { Disconnects: result.closed });
  return result;
};
