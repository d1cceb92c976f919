import { readChannelConfig } from './lib/channel-config';
import { createChannelStore } from './lib/channel-store';
import type { RouteResult, WebSocketEvent } from './lib/events';
import { connectionStoreFor, createDocumentClient } from './lib/dynamo';
import { readCommonConfig } from './lib/init';
import { log } from './lib/log';
import { removeConnection } from './lib/remove-connection';

const config = readCommonConfig();
const documents = createDocumentClient();
const store = connectionStoreFor(config, documents);
const channels = createChannelStore({ client: documents, tableName: config.tableName, ...readChannelConfig() });

/**
 * `$disconnect`: deletes the connection item (one DeleteItem) and, if it subscribed to channels, its
 * subscriptions (a Query and BatchWriteItem). Delivery is best-effort, so the TTL
 * stays the backstop. The return value is ignored by API Gateway.
 */
export const handler = async (event: WebSocketEvent): Promise<RouteResult> => {
  const { connectionId, disconnectStatusCode, disconnectReason, connectedAt, requestTimeEpoch } = event.requestContext;
  const removed = await removeConnection({ store, channels }, connectionId);
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
};
