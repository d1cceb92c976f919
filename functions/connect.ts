import { fromAuthorizerContext, type Identity } from './lib/auth/identity';
import { APP_PROTOCOL } from './lib/auth/token-source';
import { readAnonymousId } from './lib/auth/anonymous';
import { readInteger } from './lib/config';
import type { RouteResult, WebSocketEvent } from './lib/events';
import { getHeader, offeredProtocols } from './lib/headers';
import { connectionStoreFor } from './lib/dynamo';
import { readCommonConfig } from './lib/init';
import { fingerprint, log } from './lib/log';
import { nowSeconds } from './lib/time';

const config = readCommonConfig();
/** API Gateway's 2 h cap plus a grace period: the TTL backstop for a `$disconnect` that never came. */
const connectionTtlSeconds = readInteger('CONNECTION_TTL_SECONDS', { default: 7800, min: 60, max: 7 * 86_400 });
/** Live connections one user may hold; 0 turns the cap off. Counting them costs one Query per connect. */
const maxConnectionsPerUser = readInteger('MAX_CONNECTIONS_PER_USER', { default: 10, min: 0, max: 10_000 });
const store = connectionStoreFor(config);

/**
 * The subprotocol to echo: the anonymous id itself (the AWS sample's contract), or in JWT mode only
 * the app protocol, never the `bearer.` token beside it. Undefined when the offer does not fit.
 */
function echoedProtocol(identity: Identity, header: string | undefined): string | undefined {
  if (identity.authMode === 'jwt') return offeredProtocols(header).includes(APP_PROTOCOL) ? APP_PROTOCOL : undefined;
  const offered = readAnonymousId(header);
  return offered.ok && offered.userId === identity.userId ? offered.userId : undefined;
}

/**
 * `$connect`: enforces the per-user connection cap (one Query), stores the connection (one PutItem)
 * and echoes the subprotocol (see `echoedProtocol`). Runs only after the authorizer allowed the handshake; nothing can be posted from here.
 */
export const handler = async (event: WebSocketEvent): Promise<RouteResult> => {
  const { connectionId, connectedAt } = event.requestContext;
  const identity = fromAuthorizerContext(event.requestContext.authorizer);
  if (!identity) {
    log({ event: 'reject', level: 'warn', stage: 'connect', reason: 'no_identity', status: 403, connectionId }, { Rejects: 1 });
    return { statusCode: 403 };
  }
  const protocol = echoedProtocol(identity, getHeader(event, 'Sec-WebSocket-Protocol'));
  // The authorizer read the same header; a mismatch means the two disagree on the request.
  if (protocol === undefined) {
    log({ event: 'reject', level: 'warn', stage: 'connect', reason: 'subprotocol_mismatch', status: 403, connectionId }, { Rejects: 1 });
    return { statusCode: 403 };
  }

  // A soft cap: two handshakes racing past the count can both get in.
  if (maxConnectionsPerUser > 0 && (await store.countUserConnections(identity.userId, maxConnectionsPerUser)) >= maxConnectionsPerUser) {
    log({ event: 'reject', level: 'warn', stage: 'connect', reason: 'connection_cap', status: 403, connectionId }, { Rejects: 1 });
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
  return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': protocol } };
};
