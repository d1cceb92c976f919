import type { ChannelStore } from './channel-store';
import type { Connection, ConnectionStore } from './store';

/**
 * Deletes a connection's items: the connection (one DeleteItem) and, when its item counted any,
 * its subscriptions (a Query on GSI1 and BatchWriteItem deletes). Returns the removed connection.
 *
 * @example
 * await removeConnection({ store, channels }, connectionId);
 */
export async function removeConnection(
  { store, channels }: { store: ConnectionStore; channels?: ChannelStore },
  connectionId: string,
): Promise<Connection | undefined> {
  const removed = await store.deleteConnection(connectionId);
  if (channels && (removed?.subscriptionCount ?? 0) > 0) await channels.deleteSubscriptions(connectionId);
  return removed;
}
