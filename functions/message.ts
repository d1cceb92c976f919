import { SQSClient } from '@aws-sdk/client-sqs';
import { createAuthAction } from './lib/auth/auth-action';
import { withRequestTimeouts } from './lib/config/aws-client';
import { fromAuthorizerContext, type Identity } from '../packages/contract/src/identity';
import { createTokenVerifier } from './lib/auth/jwt-mode';
import { createChannelActions } from './lib/channels/channel-actions';
import { createChannelStore } from './lib/channels/channel-store';
import { readExpiryScheduler } from './lib/sessions/expiry';
import { createSessionActions } from './lib/sessions/session-actions';
import { readSessionKey } from './lib/sessions/session-key';
import { createSessionStore } from './lib/sessions/session-store';
import { readChoiceSetting, readIntegerSetting, readStringSetting } from '../packages/contract/src/settings';
import {
  ACTION_PERMISSIONS,
  MANAGEMENT_ENDPOINT,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  MESSAGE_RATE_LIMIT,
  MESSAGE_RATE_WINDOW_SECONDS,
  REPLAY_MAX_MESSAGES,
  SESSION_HEARTBEAT_SECONDS,
  SESSION_MAX_STATE_BYTES,
  SESSION_RESUME,
} from './message.settings';
import {
  AUTH_EXPIRY_GRACE_SECONDS,
  AUTH_MODE,
  CONNECTION_TTL_SECONDS,
  FANOUT_QUEUE_URL,
  MAX_CONNECTIONS_PER_USER,
  MAX_PAYLOAD_BYTES,
  SESSION_RESUME_WINDOW_SECONDS,
} from './settings/shared';
import { connectionStoreFor, createDocumentClient } from './lib/store/dynamo';
import type { Context } from 'aws-lambda';
import type { RouteResult, WebSocketEvent } from './lib/protocol/events';
import { readCommonConfig } from './lib/config/init';
import { errorFields, log } from './lib/log';
import { readPermissions } from './lib/auth/permissions';
import { errorFrame, parseClientFrame } from '../packages/contract/src/frames';
import { managementClient, managementEndpoint } from './lib/push/management-api';
import { createPusher } from './lib/push/pusher';
import { countMessage, type RateLimit } from './lib/store/rate-limit';
import { builtinActions, internalError, route, type ActionHandler } from './lib/protocol/router';
import { fromItem, type Connection } from './lib/store/connection-store';
import { nowSeconds } from './lib/time';

const config = readCommonConfig();
const authMode = readChoiceSetting(AUTH_MODE);
const endpointOverride = readStringSetting(MANAGEMENT_ENDPOINT);
const permissions = readPermissions(process.env[ACTION_PERMISSIONS.name]);
const rateLimit: RateLimit = {
  budget: readIntegerSetting(MESSAGE_RATE_LIMIT),
  windowSeconds: readIntegerSetting(MESSAGE_RATE_WINDOW_SECONDS),
};
const connectionTtlSeconds = readIntegerSetting(CONNECTION_TTL_SECONDS);
/** How long past its token's `exp` a connection may still act (clock skew, a refresh in flight). */
const authExpiryGraceSeconds = readIntegerSetting(AUTH_EXPIRY_GRACE_SECONDS);
// It subscribes, replays and checks sizes, but never appends to a channel's log (the fanout function does).
const maxPayloadBytes = readIntegerSetting(MAX_PAYLOAD_BYTES);
const documents = createDocumentClient();
const store = connectionStoreFor(config, documents);
const channels = createChannelStore({ client: documents, tableName: config.tableName });
const sqs = new SQSClient(withRequestTimeouts({}));
const queueUrl = readStringSetting(FANOUT_QUEUE_URL) as string;
const maxSubscriptions = readIntegerSetting(MAX_SUBSCRIPTIONS_PER_CONNECTION);
/** Two-phase: the per-user connection cap, checked when a pending connection authenticates (as `$connect` does). */
const maxConnectionsPerUser = readIntegerSetting(MAX_CONNECTIONS_PER_USER);
const expiry = readExpiryScheduler();
/** Sessions, and how long one outlives its connection (a connection found gone on a post detaches its session too). */
const sessions = {
  store: createSessionStore({ client: documents, tableName: config.tableName }),
  resumeWindowSeconds: readIntegerSetting(SESSION_RESUME_WINDOW_SECONDS),
};
// Log entries one subscribe or resume may replay (over all its channels); a RESUME_GAP names the rest.
const replayLimit = readIntegerSetting(REPLAY_MAX_MESSAGES);
const actions: Record<string, ActionHandler> = {
  ...builtinActions,
  ...createChannelActions({
    channels,
    sqs,
    queueUrl,
    settings: { maxPayloadBytes, maxSubscriptions, connectionTtlSeconds, replayLimit },
  }),
  ...createSessionActions({
    sessions: sessions.store,
    channels,
    sqs,
    queueUrl,
    key: readSessionKey(),
    settings: {
      resumeWindowSeconds: sessions.resumeWindowSeconds,
      heartbeatSeconds: readIntegerSetting(SESSION_HEARTBEAT_SECONDS),
      resume: readChoiceSetting(SESSION_RESUME),
      maxStateBytes: readIntegerSetting(SESSION_MAX_STATE_BYTES),
      maxSubscriptions,
      connectionTtlSeconds,
      replayLimit,
    },
    cancelExpiry: async (sessionId) => expiry?.cancel(sessionId),
  }),
  ...(authMode === 'anonymous' ? {} : { auth: createAuthAction({ verify: createTokenVerifier(), store, authMode, connectionTtlSeconds, maxConnectionsPerUser }) }),
};

/** With tokens (`jwt`, `two-phase`) the identity lives on the connection's item: `auth` sets and refreshes it. */
const identityOf = (connection: Connection | undefined): Identity | undefined =>
  connection?.userId === undefined
    ? undefined
    : {
        userId: connection.userId,
        authMode: connection.authMode,
        tenantId: connection.tenantId,
        roles: connection.roles,
        sessionId: connection.sessionId,
        tokenExpiresAt: connection.tokenExpiresAt,
      };

/** An anonymous connection's identity, from the authorizer's context ($connect refused any that does not parse). */
const contextIdentity = (context: Record<string, unknown> | null | undefined, connectionId: string): Identity | undefined => {
  const read = fromAuthorizerContext(context);
  if (read.ok) return read.identity;
  log({ event: 'reject', level: 'warn', stage: 'message', reason: 'context_invalid', connectionId }, { Rejects: 1 });
  return undefined;
};

/**
 * `$default` and custom routes: counts the message against the connection's budget, parses the
 * frame, checks the action's permission, runs it and posts the answer frames through the Management
 * API. Bad input gets `BAD_MESSAGE`, a denied action `FORBIDDEN`, an unauthenticated two-phase
 * connection `AUTH_INVALID` for anything but `auth` and `ping`, a connection over its budget
 * `RATE_LIMITED` (and at twice the budget it is closed), a connection whose token expired more than
 * AUTH_EXPIRY_GRACE_SECONDS ago `AUTH_EXPIRED` for anything but `auth` (and it is closed); the
 * connection otherwise stays open. Whatever
 * throws is logged with its stack and answered with `INTERNAL` (see `serve`), never with API Gateway's
 * `Internal server error`.
 */
export const handler = async (event: WebSocketEvent, context?: Pick<Context, 'awsRequestId'>): Promise<RouteResult> => {
  try {
    return await serve(event, context?.awsRequestId);
  } catch (error) {
    return failed(event, error, context?.awsRequestId);
  }
};

const pusherFor = (event: WebSocketEvent) =>
  createPusher({ client: managementClient(managementEndpoint(event.requestContext, endpointOverride)), store, channels, sessions });

/** Logs a failure outside the action (the budget, the connection read, a post) and tells the client. */
async function failed(event: WebSocketEvent, error: unknown, awsRequestId: string | undefined): Promise<RouteResult> {
  const { connectionId, requestId } = event.requestContext;
  log({ event: 'internal_error', level: 'error', reason: 'internal', connectionId, requestId, awsRequestId, ...errorFields(error) }, { Errors: 1 });
  const parsed = parseClientFrame(event.body);
  const id = parsed.ok ? parsed.frame.id : parsed.error.id;
  try {
    await pusherFor(event).send({ connectionId, data: internalError({ id, requestId }) });
  } catch (postError) {
    log({ event: 'internal_error_unsent', level: 'error', reason: 'internal', connectionId, requestId, awsRequestId, ...errorFields(postError) });
  }
  return { statusCode: 500 };
}

async function serve(event: WebSocketEvent, awsRequestId: string | undefined): Promise<RouteResult> {
  const { connectionId, requestTimeEpoch, connectedAt, requestId } = event.requestContext;
  const pusher = pusherFor(event);

  const rate = await countMessage({ client: documents, tableName: config.tableName, connectionId, limit: rateLimit, nowMs: requestTimeEpoch });
  if (rate.verdict === 'limited' || rate.verdict === 'close') {
    log({ event: 'rate_limited', level: 'warn', connectionId, reason: 'rate_limited', closing: rate.verdict === 'close' }, { Rejects: 1 });
    const message = `more than ${rateLimit.budget} messages in ${rateLimit.windowSeconds} s`;
    const sent = await pusher.send({ connectionId, data: errorFrame({ code: 'RATE_LIMITED', message, retryable: true }) });
    if (rate.verdict === 'close' && sent === 'sent') await pusher.disconnect({ connectionId });
    return { statusCode: 200 };
  }

  // The budget's update already returned the item; read it (once) only when the budget is off.
  let item: Promise<Connection | undefined> | undefined = rate.item ? Promise.resolve(fromItem(rate.item)) : undefined;
  const connection = (): Promise<Connection | undefined> => (item ??= store.getConnection(connectionId));
  // With tokens the item is the truth: `auth` refreshes the roles and the expiry there, not in the
  // authorizer's context, which stays as it was at $connect.
  const identity = authMode === 'anonymous' ? contextIdentity(event.requestContext.authorizer, connectionId) : identityOf(await connection());
  const authExpired = identity?.tokenExpiresAt !== undefined && nowSeconds(requestTimeEpoch) > identity.tokenExpiresAt + authExpiryGraceSeconds;
  const post = async (frame: unknown): Promise<void> => {
    await pusher.send({ connectionId, data: frame });
  };
  const close = async (): Promise<void> => {
    await pusher.disconnect({ connectionId });
  };
  const result = await route(
    event.body,
    { connectionId, identity, now: requestTimeEpoch, requestId, connectedAt, pendingAuth: authMode !== 'anonymous' && identity === undefined, authExpired, connection, post, close },
    actions,
    permissions,
  );
  if (result.reason === 'internal') {
    log({ event: 'internal_error', level: 'error', reason: 'internal', connectionId, action: result.action, requestId, awsRequestId, ...errorFields(result.error) }, { Errors: 1 });
  } else if (result.reason) {
    log({ event: 'rejected_message', level: 'warn', connectionId, action: result.action, reason: result.reason, detail: result.rejected }, { BadMessages: 1 });
  } else {
    log({ event: 'message', level: 'debug', connectionId, action: result.action });
  }
  let gone = false;
  for (const frame of result.frames) {
    if ((await pusher.send({ connectionId, data: frame })) === 'gone') {
      gone = true;
      break;
    }
  }
  // API Gateway's $disconnect then removes the connection's items and detaches its session.
  if (result.reason === 'auth_expired' && !gone) await pusher.disconnect({ connectionId });
  return { statusCode: 200 };
}
