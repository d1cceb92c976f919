import { randomUUID } from 'node:crypto';
import { fromAuthorizerContext } from '../../../functions/lib/auth/identity';
import { createDocumentClient } from '../../../functions/lib/store/dynamo';
import type { RouteResult, WebSocketEvent } from '../../../functions/lib/protocol/events';
import { readCommonConfig } from '../../../functions/lib/config/init';
import { fingerprint, log } from '../../../functions/lib/log';
import { managementClient, managementEndpoint, postToConnection } from '../../../functions/lib/push/management-api';
import { createSessionStore } from '../../../functions/lib/sessions/session-store';
import { readStringSetting } from '../../../functions/lib/config/settings';
import { MANAGEMENT_ENDPOINT } from './teleprinter.settings';
import { INTEGRATION_TIMEOUT_MS, createConnectionLock, latestSessionId, readTeleprinterConfig, teleprint } from './teleprinter-core';

const config = readCommonConfig();
const teleprinter = readTeleprinterConfig();
const endpointOverride = readStringSetting(MANAGEMENT_ENDPOINT);
const documents = createDocumentClient();
const sessions = createSessionStore({ client: documents, tableName: config.tableName });
const lock = createConnectionLock({ client: documents, tableName: config.tableName });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The `teleprinter` route (the AWS sample's, on this project): streams TELEPRINTER_TEXT to the caller,
 * one character per plain text frame every TELEPRINTER_INTERVAL_MS, from the cursor kept in the user's
 * most recent resumable session; when the connection goes away (PostToConnection answers 410) it
 * saves how far it got, so the same anonymous id continues there on its next connection.
 */
export const handler = async (event: WebSocketEvent, context?: { awsRequestId?: string; getRemainingTimeInMillis(): number }): Promise<RouteResult> => {
  const { connectionId, connectedAt, requestTimeEpoch } = event.requestContext;
  const read = fromAuthorizerContext(event.requestContext.authorizer);
  const identity = read.ok ? read.identity : undefined;
  if (!identity) {
    // A two-phase connection before `auth`: nobody to keep a cursor for.
    log({ event: 'teleprinter', level: 'warn', connectionId, reason: 'unauthenticated' }, { Rejects: 1 });
    return { statusCode: 200 };
  }
  const client = managementClient(managementEndpoint(event.requestContext, endpointOverride));
  const request = { userId: identity.userId, connectionId, connectedAt: connectedAt ?? requestTimeEpoch, requestId: context?.awsRequestId ?? randomUUID() };
  const outcome = await teleprint(request, teleprinter, {
    sessions,
    lock,
    latestSessionId: (userId, now) => latestSessionId({ client: documents, tableName: config.tableName }, userId, now),
    async post(data) {
      const outcome = await postToConnection({ client, connectionId, data });
      // A gone connection's item is left to its $disconnect, which also starts the session's resume window.
      if (outcome.kind === 'sent' || outcome.kind === 'gone') return outcome.kind;
      throw outcome.error;
    },
    sleep,
    now: Date.now,
    remainingMs: () => Math.min(context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY, requestTimeEpoch + INTEGRATION_TIMEOUT_MS - Date.now()),
  });
  log({
    event: 'teleprinter',
    level: outcome.result === 'contended' || (outcome.sessionId !== undefined && !outcome.saved) ? 'warn' : 'info',
    connectionId,
    user: fingerprint(identity.userId),
    ...outcome,
  });
  return { statusCode: 200 };
};
