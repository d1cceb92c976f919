import { errorFrame } from '../../../packages/contract/src/frames';
import type { Pusher } from '../push/pusher';
import type { ConnectionStore } from '../store/connection-store';
import { PENDING_SHARDS } from '../../../packages/contract/src/table-keys';
import { nowSeconds } from '../time';
import { sweepPages, type SweepJob } from './sweep-pages';

/**
 * Closes two-phase connections that did not authenticate by their deadline, and connections whose
 * token expired more than `authExpiryGraceSeconds` (AUTH_EXPIRY_GRACE_SECONDS) ago without a refresh
 * (idle or not), telling them why first (`AUTH_EXPIRED`).
 * @example
 * const overdue = overdueJob({ store, pusher, authExpiryGraceSeconds: 0, pageSize: 100 });
 */
export const overdueJob = ({
  store,
  pusher,
  authExpiryGraceSeconds,
  pageSize,
}: {
  store: ConnectionStore;
  pusher: Pusher;
  authExpiryGraceSeconds: number;
  pageSize: number;
}): SweepJob => {
  /**
   * Whether a connection whose token deadline record is past should be closed now. The connection's
   * item is the truth: a refresh (`auth`) may have moved its expiry, and the record follows it here;
   * a record outliving its connection is deleted.
   */
  const tokenExpired = async (connectionId: string, recordedExpiresAt: number): Promise<boolean> => {
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
  };

  return async (result, budget) => {
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
          // A gone one (410) was removed by the pusher already.
          if (overdue.reason === 'auth_deadline' && sent === 'sent') await store.deleteConnection(connectionId);
          if (sent === 'sent') result.closed += 1;
          else result.gone += 1;
        },
        (connection) => connection.connectionId,
      );
    }
    return complete;
  };
};
