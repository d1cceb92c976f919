export { SessionClient, type ClientEvents, type ClientOptions, type ConnectionState, type Gap, type Handoff, type Resolution, type WebSocketConstructor, type WebSocketLike } from './client';
export { anonymousId, type AuthOptions, type IdStore, type TokenProvider } from './auth';
export { backoffDelay, type BackoffOptions } from './backoff';
export { type ChannelMessage } from './channels';
export { SessionError, type LocalErrorCode } from './errors';
export type { ErrorCode, ErrorFrame, MessageFrame } from './wire';
