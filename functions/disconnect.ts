import type { RouteResult, WebSocketEvent } from './lib/events';
import { connectionStoreFor } from './lib/dynamo';
import { readCommonConfig } from './lib/init';
import { log } from './lib/log';

const config = readCommonConfig();
const store = connectionStoreFor(config);

/**
 * `$disconnect`: deletes the connection item (one DeleteItem). Delivery is best-effort, so the TTL
 * stays the backstop. The return value is ignored by API Gateway.
 */
export const handler = async (event: WebSocketEvent): Promise<RouteResult> => {
  const { connectionId, disconnectStatusCode, disconnectReason, connectedAt, requestTimeEpoch } = event.requestContext;
  const removed = await store.deleteConnection(connectionId);
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
