import { fromAuthorizerContext } from './lib/auth/identity';
import { readAnonymousId } from './lib/auth/anonymous';
import { readInteger } from './lib/config';
import type { RouteResult, WebSocketEvent } from './lib/events';
import { getHeader } from './lib/headers';
import { connectionStoreFor } from './lib/dynamo';
import { readCommonConfig } from './lib/init';
import { fingerprint, log } from './lib/log';
import { nowSeconds } from './lib/time';

const config = readCommonConfig();
/** API Gateway's 2 h cap plus a grace period: the TTL backstop for a `$disconnect` that never came. */
const connectionTtlSeconds = readInteger('CONNECTION_TTL_SECONDS', { default: 7800, min: 60, max: 7 * 86_400 });
const store = connectionStoreFor(config);

/**
 * `$connect`: stores the connection (one PutItem) and echoes the subprotocol the client offered as its
 * anonymous id. Runs only after the authorizer allowed the handshake; nothing can be posted from here.
 */
export const handler = async (event: WebSocketEvent): Promise<RouteResult> => {
  const { connectionId, connectedAt } = event.requestContext;
  const identity = fromAuthorizerContext(event.requestContext.authorizer);
  if (!identity) {
    log({ event: 'reject', level: 'warn', stage: 'connect', reason: 'no_identity', status: 403, connectionId }, { Rejects: 1 });
    return { statusCode: 403 };
  }
  const offered = readAnonymousId(getHeader(event, 'Sec-WebSocket-Protocol'));
  // The authorizer took the id from this same header; a mismatch means the two disagree on the request.
  if (!offered.ok || offered.userId !== identity.userId) {
    log({ event: 'reject', level: 'warn', stage: 'connect', reason: 'subprotocol_mismatch', status: 403, connectionId }, { Rejects: 1 });
    return { statusCode: 403 };
  }

  const identitySource = event.requestContext.identity;
  await store.putConnection({
    connectionId,
    userId: identity.userId,
    authMode: identity.authMode,
    connectedAt,
    sourceIp: identitySource?.sourceIp,
    userAgent: identitySource?.userAgent,
    expiresAt: nowSeconds(connectedAt) + connectionTtlSeconds,
  });
  log({ event: 'connect', connectionId, authMode: identity.authMode, user: fingerprint(identity.userId) }, { Connects: 1 });
  return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': offered.userId } };
};
