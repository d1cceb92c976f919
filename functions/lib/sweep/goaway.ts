import type { Pusher } from '../push/pusher';
import type { ConnectionStore } from '../store/connection-store';
import { EVERYONE_SHARDS } from '../../../packages/contract/src/table-keys';
import { sweepPages, type SweepJob } from './sweep-pages';
import type { GoawayFrame } from '../../../packages/contract/src/frames';

/**
 * Tells connections near the 2-hour cut to reconnect; a `goaway` that cannot be posted is tried again next run.
 * @example
 * const goaway = goawayJob({ store, pusher, maxConnectionSeconds: 7200, goawayBeforeSeconds: 300, pageSize: 100 });
 */
export const goawayJob =
  ({ store, pusher, maxConnectionSeconds, goawayBeforeSeconds, pageSize }: {
    store: ConnectionStore;
    pusher: Pusher;
    maxConnectionSeconds: number;
    goawayBeforeSeconds: number;
    pageSize: number;
  }): SweepJob =>
  async (result, budget) => {
    const acceptedBefore = Date.now() - (maxConnectionSeconds - goawayBeforeSeconds) * 1000;
    let complete = true;
    for (let shard = 0; shard < EVERYONE_SHARDS; shard += 1) {
      complete &&= await sweepPages(
        { job: 'goaway', result, budget },
        (cursor) => store.listNearCut(shard, acceptedBefore, { limit: pageSize, cursor }),
        async ({ connectionId, connectedAt }) => {
          if (!(await store.claimGoaway(connectionId, connectedAt))) return;
          const frame: GoawayFrame = { type: 'goaway', reason: 'max_duration', closeAt: connectedAt + maxConnectionSeconds * 1000 };
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
  };
