/**
 * The declared contract of websocket-sessions: what other code may build on. The functions, the
 * publisher, the sandbox's wiring, the examples and other languages' clients follow these files;
 * everything under functions/lib is internal.
 *
 * - queue-message, sqs-batch: the fan-out queue's records (schema v1) and how a record is sized and sent
 * - channel-names: channel naming (client channels, `user:`, `tenant:`, `broadcast:all`)
 * - frames, error-codes: the wire protocol's frames, their limits and the error codes
 * - table-keys, session-item, connection-item: the single table's key layout, the resumable session's
 *   item and what a connection item tells a reader
 * - identity: who is on a connection, and its encoding in the authorizer context
 * - settings, readers, config-error: how a function declares and reads its settings
 *
 * Functions import the files themselves (so each bundle takes only what it uses); other code may
 * import this index.
 *
 * @example
 * import { groupIdOf, channelKeyOf, type PublishRecord } from '@websocket-sessions/contract';
 */
export * from './channel-names';
export * from './config-error';
export * from './connection-item';
export * from './error-codes';
export * from './frames';
export * from './identity';
export * from './queue-message';
export * from './readers';
export * from './session-item';
export * from './settings';
export * from './sqs-batch';
export * from './table-keys';
