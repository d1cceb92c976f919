import { readAnonymousId } from './lib/auth/anonymous';
import { fromAuthorizerContext, guestUserId, type Identity } from '../packages/contract/src/identity';
import { APP_PROTOCOL } from './lib/auth/token-source';
import { readChoiceSetting, readIntegerSetting } from '../packages/contract/src/settings';
import { AUTH_DEADLINE_SECONDS, HANDSHAKES_PER_IP, HANDSHAKE_WINDOW_SECONDS } from './connect.settings';
import { AUTH_MODE, CONNECTION_TTL_SECONDS, MAX_CONNECTIONS_PER_USER } from './settings/shared';
import { connectionStoreFor, createDocumentClient } from './lib/store/dynamo';
import type { RouteResult, WebSocketEvent } from './lib/protocol/events';
import { countHandshake, type HandshakeLimit } from './lib/store/handshake-limit';
import { getHeader, offeredProtocols } from './lib/protocol/headers';
import { readCommonConfig } from './lib/config/init';
import { errorFields, fingerprint, log } from './lib/log';
import { nowSeconds } from './lib/time';

const config = readCommonConfig();
const authMode = readChoiceSetting(AUTH_MODE);
/** API Gateway's 2 h cap plus a grace period: the TTL backstop for a `$disconnect` that never came. */
const connectionTtlSeconds = readIntegerSetting(CONNECTION_TTL_SECONDS);
/** Live connections one user may hold; 0 turns the cap off. Counting them costs one Query per connect. */
const maxConnectionsPerUser = readIntegerSetting(MAX_CONNECTIONS_PER_USER);
/** Two-phase: how long a connection may stay unauthenticated before the sweeper closes it. */
const authDeadlineSeconds = readIntegerSetting(AUTH_DEADLINE_SECONDS);
/** A pending item outlives its deadline a little, for the sweeper to find; TTL is only the backstop. */
const PENDING_TTL_GRACE_SECONDS = 300;
/** Handshakes one source IP may make per window (429 beyond); 0 turns the limit and its UpdateItem off. */
const handshakeLimit: HandshakeLimit = {
  handshakes: readIntegerSetting(HANDSHAKES_PER_IP),
  windowSeconds: readIntegerSetting(HANDSHAKE_WINDOW_SECONDS),
};
const documents = createDocumentClient();
const store = connectionStoreFor(config, documents);

/**
 * The subprotocol to echo: the anonymous id itself as the client offered it (the AWS sample's
 * contract, and a guest's in the JWT and two-phase modes, whose user id is `guest:{id}`), or for their signed-in connections only the app protocol, never a
 * `bearer.` token beside it. Undefined when the offer does not fit what the authorizer saw.
 */
function echoedProtocol(identity: Identity | undefined, header: string | undefined): string | undefined {
  // A guest of a token stage (ALLOW_GUESTS) connected as in anonymous mode.
  if (authMode !== 'anonymous' && identity?.authMode !== 'anonymous') return offeredProtocols(header).includes(APP_PROTOCOL) ? APP_PROTOCOL : undefined;
  const offered = readAnonymousId(header);
  if (!offered.ok) return undefined;
  const expected = authMode === 'anonymous' ? offered.userId : guestUserId(offered.userId);
  return expected === identity?.userId ? offered.userId : undefined;
}

const reject = (connectionId: string, reason: string, status = 403): RouteResult => {
  log({ event: 'reject', level: 'warn', stage: 'connect', reason, status, connectionId }, { Rejects: 1 });
  return { statusCode: status };
};

/**
 * `$connect`: counts the handshake against its source IP's budget when that limit is on (one
 * UpdateItem; 429 beyond it), stores the connection counted against its user's cap (a GetItem and a
 * TransactWriteItems; 403 beyond it) (and its token's deadline, one PutItem, when it has a token) and echoes the subprotocol. A two-phase connection is stored as pending, with the deadline by which
 * it must send `auth`. Runs only after the authorizer allowed the handshake; nothing can be posted
 * from here. A failure is logged with its stack and refuses the handshake with 500.
 */
export const handler = async (event: WebSocketEvent): Promise<RouteResult> => {
  try {
    return await admit(event);
  } catch (error) {
    const { connectionId, requestId } = event.requestContext;
    log({ event: 'internal_error', level: 'error', stage: 'connect', reason: 'internal', status: 500, connectionId, requestId, ...errorFields(error) }, { Errors: 1 });
    return { statusCode: 500 };
  }
};

async function admit(event: WebSocketEvent): Promise<RouteResult> {
  const { connectionId, connectedAt } = event.requestContext;
  const sourceIp = event.requestContext.identity?.sourceIp;
  if (sourceIp && !(await countHandshake({ client: documents, tableName: config.tableName, sourceIp, limit: handshakeLimit, nowMs: connectedAt }))) {
    return reject(connectionId, 'handshake_rate', 429);
  }
  const read = fromAuthorizerContext(event.requestContext.authorizer);
  // Only a bug or a tampered authorizer could write such a context: refuse it rather than guess.
  if (!read.ok) return reject(connectionId, 'context_invalid');
  const { identity } = read;
  const pending = authMode === 'two-phase' && event.requestContext.authorizer?.authMode === 'two-phase' && identity === undefined;
  if (!identity && !pending) return reject(connectionId, 'no_identity');
  const protocol = echoedProtocol(identity, getHeader(event, 'Sec-WebSocket-Protocol'));
  // The authorizer read the same header; a mismatch means the two disagree on the request.
  if (protocol === undefined) return reject(connectionId, 'subprotocol_mismatch');

  const identitySource = event.requestContext.identity;
  const common = { connectionId, connectedAt, sourceIp: identitySource?.sourceIp, userAgent: identitySource?.userAgent };
  if (!identity) {
    const authDeadline = nowSeconds(connectedAt) + authDeadlineSeconds;
    await store.putConnection({ ...common, authMode: 'two-phase', authDeadline, expiresAt: authDeadline + PENDING_TTL_GRACE_SECONDS });
    log({ event: 'connect', connectionId, authMode, pending: true }, { Connects: 1 });
    return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': protocol } };
  }

  const connection = {
    ...common,
    userId: identity.userId,
    authMode: identity.authMode,
    tenantId: identity.tenantId,
    roles: identity.roles,
    sessionId: identity.sessionId,
    tokenExpiresAt: identity.tokenExpiresAt,
    expiresAt: nowSeconds(connectedAt) + connectionTtlSeconds,
  };
  // The cap holds under races: the connection is counted in the transaction that stores it.
  // (At the cap, a counter that drifted is repaired once inside: connection-count.ts.)
  const stored = await store.putConnection(connection, { maxPerUser: maxConnectionsPerUser });
  if (stored === 'full') return reject(connectionId, 'connection_cap');
  // The sweeper closes the connection once its token expired, even if it never sends a message.
  if (identity.tokenExpiresAt !== undefined) {
    await store.putTokenDeadline({ connectionId, tokenExpiresAt: identity.tokenExpiresAt, expiresAt: connection.expiresAt });
  }
  log({ event: 'connect', connectionId, authMode: identity.authMode, user: fingerprint(identity.userId) }, { Connects: 1 });
  return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': protocol } };
}
