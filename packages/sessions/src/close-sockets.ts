import { SessionEvent, type SessionEvents } from './events';
import type { SessionService } from './service';

/** The reasons a session's connections are closed with (the error codes clients get). */
export type SocketCloseReason = 'SESSION_EVICTED' | 'SESSION_REVOKED';

/**
 * What `closeSocketsOnSessionEnd` sends with: the publisher's `disconnect`
 * (`@websocket-sessions/publisher`), named structurally so this package does not depend on it.
 */
export interface SocketCloser {
  disconnect(target: { userId: string; sessionId?: string; reason: SocketCloseReason }): Promise<string>;
}

/** The wiring's handle: `settled` waits for the disconnects sent so far; `stop` removes the listeners. */
export interface SocketClosing {
  /** Resolves once every disconnect sent so far is queued (or failed, which is logged): await it before a Lambda handler returns. */
  settled(): Promise<void>;
  stop(): void;
}

/**
 * Closes the live WebSocket connections of sessions that end: an evicted session's
 * (`SESSION_EVICTED`), a revoked one's and a deleted one's (`SESSION_REVOKED`), each found by the
 * connections' `sessionId` (their token's `sid`); "log out everywhere" (`SESSION_DELETED`, scope
 * `all`) closes every connection of the user. Each sends one `disconnect` record through the
 * publisher; the fan-out consumer posts the frame, closes the connection and removes it. A failed
 * send is logged by the service's events (`session_event_listener_failed`), never the session call's failure.
 *
 * @example
 * const sessions = createSessionService({ tableName });
 * const closing = closeSocketsOnSessionEnd(sessions, createPublisher({ queueUrl }));
 * await sessions.create({ userId, device });   // a sixth login: the evicted session's sockets close
 * await closing.settled();                      // before the handler returns
 */
export function closeSocketsOnSessionEnd(sessionService: Pick<SessionService, 'events'>, publisher: SocketCloser): SocketClosing {
  const inFlight = new Set<Promise<unknown>>();
  const send = (target: Parameters<SocketCloser['disconnect']>[0]): Promise<string> => {
    const sent = publisher.disconnect(target);
    const tracked = sent.catch(() => undefined).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    return sent;
  };
  const evicted = ({ userId, sessionId }: SessionEvents['SESSION_EVICTED'][0]) => send({ userId, sessionId, reason: 'SESSION_EVICTED' });
  const revoked = ({ userId, sessionId }: SessionEvents['SESSION_REVOKED'][0]) => send({ userId, sessionId, reason: 'SESSION_REVOKED' });
  const deleted = ({ userId, scope, sessionIds }: SessionEvents['SESSION_DELETED'][0]) =>
    scope === 'all' ? send({ userId, reason: 'SESSION_REVOKED' }) : Promise.all(sessionIds.map((sessionId) => send({ userId, sessionId, reason: 'SESSION_REVOKED' })));
  const { events } = sessionService;
  events.on(SessionEvent.SESSION_EVICTED, evicted);
  events.on(SessionEvent.SESSION_REVOKED, revoked);
  events.on(SessionEvent.SESSION_DELETED, deleted);
  return {
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop() {
      events.off(SessionEvent.SESSION_EVICTED, evicted);
      events.off(SessionEvent.SESSION_REVOKED, revoked);
      events.off(SessionEvent.SESSION_DELETED, deleted);
    },
  };
}
