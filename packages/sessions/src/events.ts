import { EventEmitter } from 'node:events';
import type { LogFunction } from './metrics';
import type { MfaStatus } from './types';

/**
 * The session service's event names, as constants.
 *
 * @example
 * sessions.events.on(SessionEvent.SESSION_REVOKED, ({ userId, sessionId, reason }) => alert({ userId, sessionId, reason }));
 */
export const SessionEvent = {
  SESSION_CREATED: 'SESSION_CREATED',
  SESSION_EVICTED: 'SESSION_EVICTED',
  SESSION_RENEWED: 'SESSION_RENEWED',
  SESSION_REFRESHED: 'SESSION_REFRESHED',
  SESSION_REVOKED: 'SESSION_REVOKED',
  SESSION_DELETED: 'SESSION_DELETED',
  DEVICE_TRUSTED: 'DEVICE_TRUSTED',
  DEVICE_UNTRUSTED: 'DEVICE_UNTRUSTED',
  MFA_STATE_CHANGED: 'MFA_STATE_CHANGED',
} as const;

/** Why a session was revoked rather than deleted by its user. */
export type SessionRevokeReason = 'refresh_token_reused';

/**
 * Each event's payload: ids and times (epoch ms), never a refresh token or its hash. Events are
 * emitted once the write they report has succeeded, never for a refused or conflicting one.
 */
export interface SessionEvents {
  /** A session was created. */
  SESSION_CREATED: [{ userId: string; sessionId: string; createdAt: number; expiresAt: number; staySignedIn: boolean; trusted: boolean; mfa: MfaStatus }];
  /** One session was evicted (least recently used) by the create of `bySessionId`, in its transaction. */
  SESSION_EVICTED: [{ userId: string; sessionId: string; bySessionId: string; lastUsedAt: number; evictedAt: number }];
  /** A session's expiry was extended by `renew`. */
  SESSION_RENEWED: [{ userId: string; sessionId: string; lastUsedAt: number; expiresAt: number; version: number }];
  /** A session's refresh token was rotated by `refresh`, and the session renewed. */
  SESSION_REFRESHED: [{ userId: string; sessionId: string; lastUsedAt: number; expiresAt: number; version: number }];
  /** A session was deleted by the service itself: a rotated refresh token was presented after the grace window. */
  SESSION_REVOKED: [{ userId: string; sessionId: string; reason: SessionRevokeReason; revokedAt: number }];
  /** `delete` removed one session (`scope: 'one'`) or `deleteAll` removed `count` sessions of the user (`scope: 'all'`). */
  SESSION_DELETED: [{ userId: string; scope: 'one' | 'all'; sessionIds: string[]; count: number; deletedAt: number }];
  /** `trustDevice` marked the session's device trusted. */
  DEVICE_TRUSTED: [{ userId: string; sessionId: string; trustedAt: number; version: number }];
  /** `untrustDevice` cleared the session's device trust. */
  DEVICE_UNTRUSTED: [{ userId: string; sessionId: string; untrustedAt: number; version: number }];
  /** `setMfa` wrote the session's MFA state. */
  MFA_STATE_CHANGED: [{ userId: string; sessionId: string; status: MfaStatus; method?: string; verifiedAt?: number; changedAt: number; version: number }];
}

/**
 * The service's typed emitter (`service.events`). Unlike a plain `emit`, `notify` runs every listener
 * even when one throws (or, being async, rejects): the write has already succeeded, so a failing listener is logged
 * (`session_event_listener_failed`, `error`) and the call that made the change still resolves.
 *
 * @example
 * const sessions = createSessionService({ tableName });
 * sessions.events.on(SessionEvent.SESSION_DELETED, ({ userId, scope, count }) => log.info({ userId, scope, count }));
 */
export class SessionEventEmitter extends EventEmitter<SessionEvents> {
  constructor(private readonly write: LogFunction) {
    super();
  }

  /** Calls each listener of `name` in order; one that throws is logged and the rest still run. */
  notify<K extends keyof SessionEvents>(name: K, ...args: SessionEvents[K]): void {
    for (const listener of this.rawListeners(name) as Array<(...payload: SessionEvents[K]) => unknown>) {
      try {
        const result = listener.apply(this, args);
        // An async listener's rejection would otherwise be unhandled (and end a Lambda's process).
        if (result instanceof Promise) result.catch((error: unknown) => this.failed(name, error));
      } catch (error) {
        this.failed(name, error);
      }
    }
  }

  private failed(name: keyof SessionEvents, error: unknown): void {
    this.write({ event: 'session_event_listener_failed', level: 'error', reason: 'listener_threw', sessionEvent: name, error: error instanceof Error ? error.message : String(error) });
  }
}
