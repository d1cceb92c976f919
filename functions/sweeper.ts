import { readString } from './lib/config';
import { connectionStoreFor } from './lib/dynamo';
import { readCommonConfig } from './lib/init';
import { PENDING_SHARDS } from './lib/keys';
import { log } from './lib/log';
import { errorFrame } from './lib/protocol';
import { createPusher, managementClient } from './lib/push';

const config = readCommonConfig();
/** Not triggered by API Gateway, so it cannot derive the endpoint from an event. */
const endpoint = readString('MANAGEMENT_ENDPOINT');
const store = connectionStoreFor(config);
const pusher = createPusher({ client: managementClient(endpoint), store });

export interface SweepResult {
  /** Two-phase connections closed for not authenticating in time. */
  closed: number;
  /** Ones that were already gone (410); their items were deleted. */
  gone: number;
}

/**
 * Runs on the recurring schedule (EventBridge Scheduler, every minute by default): closes two-phase
 * connections that did not authenticate by their deadline, telling them why first (`AUTH_EXPIRED`),
 * and deletes their items. Finds them by Query on the pending index, one per shard; never scans.
 */
export const handler = async (): Promise<SweepResult> => {
  const result: SweepResult = { closed: 0, gone: 0 };
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
