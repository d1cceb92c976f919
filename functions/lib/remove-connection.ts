import type { ChannelStore } from './channel-store';
import type { Connection, ConnectionStore } from './store';

/**
 * Deletes a connection's items: the connection (one DeleteItem) and, when its item counted any or
 * was already gone, its subscriptions (a Query on GSI1 and BatchWriteItem deletes), so a removal that
 * failed half-way is finished by the next one (a 410 on a post). Returns the removed connection.
 *
 * @example
 * await removeConnection({ store, channels }, connectionId);
 */
export async function removeConnection(
  { store, channels }: { store: ConnectionStore; channels?: ChannelStore },
  connectionId: string,
): Promise<Connection | undefined> {
  const removed = await store.deleteConnection(connectionId);
  // No item: an earlier removal may have failed after deleting it, leaving subscriptions to find.
  if (channels && (removed === undefined || (removed.subscriptionCount ?? 0) > 0)) await channels.deleteSubscriptions(connectionId);
  return removed;
}
