import type { ChannelStore } from '../channels/channel-store';
import type { SessionStore } from './session-store';
import type { Connection, ConnectionStore } from '../store/connection-store';

/** What a connection's removal touches besides its item. */
export interface RemovalDeps {
  store: ConnectionStore;
  /** When given, its subscriptions are deleted too (otherwise they expire with it: same TTL). */
  channels?: ChannelStore;
  /** Its resumable session is made inactive, resumable for `resumeWindowSeconds` (SESSION_RESUME_WINDOW_SECONDS). */
  sessions: { store: SessionStore; resumeWindowSeconds: number };
}

export interface Removal {
  /** The deleted connection; undefined when its item was already gone. */
  removed: Connection | undefined;
  /** The session this removal made inactive and when it expires (epoch s), so the caller may schedule its purge. */
  detached?: { sessionId: string; expiresAt: number };
}

/**
 * Removes a connection that is gone, whoever found out ($disconnect, a 410 on a post, the sweeper):
 * marks its resumable session inactive with `lastSeen` and the resume window (a GetItem, then an
 * UpdateItem conditional on the session still being linked to this connection, so a session resumed
 * elsewhere is left alone), then deletes the connection (`deleteConnection`) and, when its item
 * counted any or was already gone, its subscriptions (a Query on GSI1 and BatchWriteItem deletes).
 * The session goes first, while the item still names it: a removal that fails half-way leaves the
 * item for the next one to finish, and whichever removal comes second (a $disconnect after the
 * 410) finds the session detached already. Detached sessions expire on their one-time schedule when
 * the caller creates one ($disconnect), else by the sweeper's purge of expired sessions.
 *
 * @example
 * const { removed, detached } = await removeConnection({ store, channels, sessions: { store: sessionStore, resumeWindowSeconds: 120 } }, connectionId);
 */
export async function removeConnection(
  { store, channels, sessions }: RemovalDeps,
  connectionId: string,
  { lastSeen = Date.now() }: { /** When the connection was last known alive, epoch ms. */ lastSeen?: number } = {},
): Promise<Removal> {
  const linked = (await store.getConnection(connectionId))?.wsSession;
  let detached: Removal['detached'];
  if (linked) {
    // Rounded up: never sooner than the window after the last contact.
    const expiresAt = Math.ceil(lastSeen / 1000) + sessions.resumeWindowSeconds;
    if (await sessions.store.detach({ sessionId: linked, connectionId, lastSeen, expiresAt })) detached = { sessionId: linked, expiresAt };
  }
  const removed = await store.deleteConnection(connectionId);
  // No item: an earlier removal may have failed after deleting it, leaving subscriptions to find.
  if (channels && (removed === undefined || (removed.subscriptionCount ?? 0) > 0)) await channels.deleteSubscriptions(connectionId);
  return { removed, detached };
}
