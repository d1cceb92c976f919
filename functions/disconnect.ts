import { createChannelStore } from './lib/channels/channel-store';
import type { RouteResult, WebSocketEvent } from './lib/protocol/events';
import { connectionStoreFor, createDocumentClient } from './lib/store/dynamo';
import { readCommonConfig } from './lib/config/init';
import { errorFields, log } from './lib/log';
import { readIntegerSetting } from '../packages/contract/src/settings';
import { SESSION_RESUME_WINDOW_SECONDS } from './settings/shared';
import { readExpiryScheduler } from './lib/sessions/expiry';
import { removeConnection } from './lib/sessions/remove-connection';
import { createSessionStore } from './lib/sessions/session-store';

const config = readCommonConfig();
const documents = createDocumentClient();
const store = connectionStoreFor(config, documents);
// Only to delete the connection's subscriptions: it never appends to a channel's log.
const channels = createChannelStore({ client: documents, tableName: config.tableName });
const sessions = {
  store: createSessionStore({ client: documents, tableName: config.tableName }),
  resumeWindowSeconds: readIntegerSetting(SESSION_RESUME_WINDOW_SECONDS),
};
const expiry = readExpiryScheduler();

/**
 * `$disconnect`: marks the connection's resumable session inactive for the resume window, deletes the
 * connection item and, if it subscribed to channels, its subscriptions (`removeConnection`), and
 * schedules the session's purge at the window's end. When a 410 on a post removed the connection
 * first, its session is detached already (without a schedule: the sweeper purges it). Delivery is
 * best-effort, so the TTL stays the backstop. The return value is ignored by API Gateway; a failure is logged with its stack
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
  const { removed, detached } = await removeConnection({ store, channels, sessions }, connectionId, { lastSeen: requestTimeEpoch });
  // The session outlives its connection for the resume window; a one-time schedule purges it then.
  if (detached && expiry) await expiry.schedule(detached.sessionId, detached.expiresAt);
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
