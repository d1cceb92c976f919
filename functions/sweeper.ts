import { readInteger, readString } from './lib/config';
import { EXPIRING_SHARDS, createSessionStore } from './lib/sessions';
import { createDocumentClient } from './lib/dynamo';
import { nowSeconds } from './lib/time';
import { connectionStoreFor } from './lib/dynamo';
import { readCommonConfig } from './lib/init';
import { EVERYONE_SHARDS, PENDING_SHARDS } from './lib/keys';
import { log } from './lib/log';
import { errorFrame } from './lib/protocol';
import { createPusher, managementClient } from './lib/push';

const config = readCommonConfig();
/** Not triggered by API Gateway, so it cannot derive the endpoint from an event. */
const endpoint = readString('MANAGEMENT_ENDPOINT');
const documents = createDocumentClient();
const store = connectionStoreFor(config, documents);
const sessions = createSessionStore({ client: documents, tableName: config.tableName });
/** API Gateway closes every connection at 2 h; `goaway` goes out this long before, so clients resume without a gap. */
const maxConnectionSeconds = readInteger('CONNECTION_MAX_SECONDS', { default: 7200, min: 10, max: 7200 });
const goawayBeforeSeconds = readInteger('SESSION_GOAWAY_BEFORE_SECONDS', { default: 300, min: 1, max: 3600 });
const resumeWindowSeconds = readInteger('SESSION_RESUME_WINDOW_SECONDS', { default: 120, min: 1, max: 86_400 });
const DEAD_GRACE_SECONDS = 60;
const pusher = createPusher({ client: managementClient(endpoint), store });

export interface SweepResult {
  /** Two-phase connections closed for not authenticating in time. */
  closed: number;
  /** Ones that were already gone (410); their items were deleted. */
  gone: number;
  /** Inactive sessions past their resume window, purged. */
  expired: number;
  /** Connections near API Gateway's 2-hour cut told to reconnect (`goaway`). */
  goaway: number;
  /** Connections past the cut whose `$disconnect` never came: deleted, their sessions made resumable. */
  dead: number;
}

/** What a one-time expiry schedule sends: purge that session if it was not resumed. */
export interface ExpireInput {
  task: 'expire';
  sessionId: string;
}

/**
 * Runs on the recurring schedule (EventBridge Scheduler, every minute by default): closes two-phase
 * connections that did not authenticate by their deadline, telling them why first (`AUTH_EXPIRED`),
 * and deletes their items. Finds them by Query on the pending index, one per shard; never scans. Also
 * purges inactive sessions past their resume window, and serves the one-time expiry schedules
 * (`{"task":"expire","sessionId":…}`), which purge one session on time unless it was resumed; and
 * sends `goaway` to connections within SESSION_GOAWAY_BEFORE_SECONDS of API Gateway's 2-hour cut.
 */
export const handler = async (event?: Partial<ExpireInput> | { task?: string }): Promise<SweepResult> => {
  const result: SweepResult = { closed: 0, gone: 0, expired: 0, goaway: 0, dead: 0 };
  if (event?.task === 'expire') {
    const { sessionId } = event as Partial<ExpireInput>;
    if (typeof sessionId === 'string' && (await sessions.purgeIfExpired(sessionId, nowSeconds()))) result.expired += 1;
    log({ event: 'session_expiry', sessionId, purged: result.expired === 1 }, { SessionsExpired: result.expired });
    return result;
  }
  const acceptedBefore = Date.now() - (maxConnectionSeconds - goawayBeforeSeconds) * 1000;
  for (let shard = 0; shard < EVERYONE_SHARDS; shard += 1) {
    for (const { connectionId, connectedAt } of await store.claimGoaway(shard, acceptedBefore)) {
      const frame = { type: 'goaway', reason: 'max_duration', closeAt: connectedAt + maxConnectionSeconds * 1000 };
      if ((await pusher.send({ connectionId, data: frame })) === 'sent') result.goaway += 1;
    }
  }
  // Past the cut (and a minute's grace) API Gateway has closed them: a $disconnect that never came.
  const deadBefore = Date.now() - (maxConnectionSeconds + DEAD_GRACE_SECONDS) * 1000;
  for (let shard = 0; shard < EVERYONE_SHARDS; shard += 1) {
    for (const connectionId of await store.listDead(shard, deadBefore)) {
      const removed = await store.deleteConnection(connectionId);
      // Its subscriptions expire with it (same TTL); its session starts its resume window now.
      if (removed?.wsSession) await sessions.detach({ sessionId: removed.wsSession, connectionId, lastSeen: Date.now(), expiresAt: nowSeconds() + resumeWindowSeconds });
      if (removed) result.dead += 1;
    }
  }
  // Sessions whose one-time schedule never ran (throttled, failed): purged here, a minute late at most.
  for (let shard = 0; shard < EXPIRING_SHARDS; shard += 1) {
    for (const sessionId of await sessions.listExpired(shard, nowSeconds())) {
      if (await sessions.purgeIfExpired(sessionId, nowSeconds())) result.expired += 1;
    }
  }
  for (let shard = 0; shard < PENDING_SHARDS; shard += 1) {
    for (const connection of await store.listOverduePending(shard)) {
      const { connectionId } = connection;
      const frame = errorFrame({ code: 'AUTH_EXPIRED', message: 'no auth before the deadline' });
      const sent = await pusher.send({ connectionId, data: frame });
      if (sent === 'sent') await pusher.disconnect({ connectionId });
      await store.deleteConnection(connectionId);
      if (sent === 'sent') result.closed += 1;
      else result.gone += 1;
    }
  }
  log({ event: 'sweep', ...result }, { Disconnects: result.closed });
  return result;
};
