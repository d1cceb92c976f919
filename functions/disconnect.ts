import { readChannelConfig } from './lib/channel-config';
import { createChannelStore } from './lib/channel-store';
import type { RouteResult, WebSocketEvent } from './lib/events';
import { connectionStoreFor, createDocumentClient } from './lib/dynamo';
import { readCommonConfig } from './lib/init';
import { errorFields, log } from './lib/log';
import { readInteger } from './lib/config';
import { readExpiryScheduler } from './lib/expiry';
import { removeConnection } from './lib/remove-connection';
import { createSessionStore } from './lib/sessions';

const config = readCommonConfig();
const documents = createDocumentClient();
const store = connectionStoreFor(config, documents);
const channels = createChannelStore({ client: documents, tableName: config.tableName, ...readChannelConfig() });
const sessions = createSessionStore({ client: documents, tableName: config.tableName });
const resumeWindowSeconds = readInteger('SESSION_RESUME_WINDOW_SECONDS', { default: 120, min: 1, max: 86_400 });
const expiry = readExpiryScheduler();

/**
 * `$disconnect`: deletes the connection item (one DeleteItem) and, if it subscribed to channels, its
 * subscriptions (a Query and BatchWriteItem); marks its resumable session inactive for the resume
 * window and schedules the session's purge at its end. Delivery is best-effort, so the TTL
 * stays the backstop. The return value is ignored by API Gateway; a failure is logged with its stack
 * (the TTL and the sweeper clean up after it).
 */
export const handler = async (event: WebSocketEvent): Promise<RouteResult> => {
  try {
    return await forget(event);
  } catch (error) {
    const { connectionId, requestId } = event.requestContext;
    log({ event: 'internal_error', level: 'error', stage: 'disconnect', reason: 'internal', connectionId, requestId, ...errorFields(error) }, { Errors: 1 });
    return { statusCode: 500 };
  }
};

async function forget(event: WebSocketEvent): Promise<RouteResult> {
  const { connectionId, disconnectStatusCode, disconnectReason, connectedAt, requestTimeEpoch } = event.requestContext;
  const removed = await removeConnection({ store, channels }, connectionId);
  if (removed?.wsSession) {
    // The session outlives its connection for the resume window; a one-time schedule purges it then.
    // Rounded up: never sooner than the window after the last contact.
    const expiresAt = Math.ceil(requestTimeEpoch / 1000) + resumeWindowSeconds;
    const detached = await sessions.detach({ sessionId: removed.wsSession, connectionId, lastSeen: requestTimeEpoch, expiresAt });
    if (detached && expiry) await expiry.schedule(removed.wsSession, expiresAt);
  }
  log(
    {
      event: 'disconnect',
      connectionId,
      statusCode: disconnectStatusCode,
      // The client's close reason (≤ 123 bytes) is free text: a field, never a metric dimension.
      closeReason: disconnectReason || undefined,
      durationMs: requestTimeEpoch - connectedAt,
      known: removed !== undefined,
    },
    { Disconnects: 1 },
  );
  return { statusCode: 200 };
}
