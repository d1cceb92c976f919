/**
 * @websocket-sessions/sessions: the user sessions of a websocket-sessions stack, in its single table.
 * See README.md.
 */
export { createSessionService, type HealthReport, type SessionService, type SessionServiceOptions } from './service';
export { SessionEvent, SessionEventEmitter, type SessionEvents, type SessionRevokeReason } from './events';
export { createSessionLookup, type SessionLookup } from './lookup';
export { closeSocketsOnSessionEnd, type SocketCloser, type SocketCloseReason, type SocketClosing } from './close-sockets';
export { readSessionSettings, settings, type SessionSettings } from './settings';
export { dynamoOnlyCache, type CacheLookup, type SessionCache } from './cache/cache';
export { createRedisCache, type RedisCacheOptions } from './cache/redis';
export { SessionMetrics, type LogFunction, type SessionMetricName } from './metrics';
export {
  InvalidRefreshTokenError,
  RefreshTokenReusedError,
  SessionConflictError,
  SessionContentionError,
  SessionNotFoundError,
  SessionValidationError,
} from './errors';
export type { CreateSessionInput, CreateSessionResult, DeviceInfo, Expected, MfaState, MfaStatus, RefreshResult, SessionRef, UserSession } from './types';
/** The login and MFA coordinator (./login, documented in LOGIN.md): it creates sessions through this service. */
export * from './login';
/** Session cookies for HTTP handlers (./cookie, documented in COOKIE.md). */
export * from './cookie';
/** Short-lived access tokens for user sessions (./access-token). */
export * from './access-token';
