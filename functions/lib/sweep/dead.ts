import { removeConnection, type RemovalDeps } from '../sessions/remove-connection';
import { EVERYONE_SHARDS } from '../../../packages/contract/src/table-keys';
import { sweepPages, type SweepJob } from './sweep-pages';

const DEAD_GRACE_SECONDS = 60;

/**
 * Deletes connections past the cut (and a minute's grace: API Gateway has closed them) whose
 * `$disconnect` never came, then repairs the connection counters of their users.
 * @example
 * const dead = deadJob({ removal: { store, sessions: { store: sessionStore, resumeWindowSeconds } }, maxConnectionSeconds: 7200, pageSize: 100 });
 */
export const deadJob =
  ({ removal, maxConnectionSeconds, pageSize }: { removal: RemovalDeps; maxConnectionSeconds: number; pageSize: number }): SweepJob =>
  async (result, budget) => {
    const { store } = removal;
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
  };
