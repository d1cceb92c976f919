import { EXPIRING_SHARDS, type SessionStore } from '../sessions/session-store';
import { nowSeconds } from '../time';
import { sweepPages, type SweepJob } from './sweep-pages';

/**
 * Purges sessions whose one-time schedule never ran (throttled, failed): a minute late at most.
 * @example
 * const expired = expiredJob({ sessions, pageSize: 100 });
 */
export const expiredJob =
  ({ sessions, pageSize }: { sessions: SessionStore; pageSize: number }): SweepJob =>
  async (result, budget) => {
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
  };
