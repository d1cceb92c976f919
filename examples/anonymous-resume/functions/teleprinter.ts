import { randomUUID } from 'node:crypto';
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { fromAuthorizerContext } from '../../../packages/contract/src/identity';
import { readChoiceSetting, readStringSetting } from '../../../packages/contract/src/settings';
import { LOG_LEVEL, MANAGEMENT_ENDPOINT, TABLE_NAME } from './teleprinter.settings';
import { INTEGRATION_TIMEOUT_MS, createConnectionLock, latestSessionId, readTeleprinterConfig, teleprint } from './teleprinter-core';
import { createTeleprinterSessions } from './teleprinter-sessions';

/** The route event, with the authorizer's context (`@types/aws-lambda` leaves it out of the WebSocket event). */
type TeleprinterEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & { authorizer?: Record<string, unknown> & { principalId?: string } };
};

// Read once, when the function starts: a bad value fails its init with a ConfigError naming it.
const tableName = readStringSetting(TABLE_NAME);
const logLevel = readChoiceSetting(LOG_LEVEL);
const teleprinter = readTeleprinterConfig();
const endpointOverride = readStringSetting(MANAGEMENT_ENDPOINT);
// A hung call is cut after 2 s per attempt, so the stream's budget holds (API Gateway's 29 s).
const requestHandler = { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true };
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler }), { marshallOptions: { removeUndefinedValues: true } });
const sessions = createTeleprinterSessions({ client: documents, tableName });
const lock = createConnectionLock({ client: documents, tableName });
const managementClients = new Map<string, ApiGatewayManagementApiClient>();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** One JSON line per event, at `LOG_LEVEL` and above. */
function log(level: (typeof LEVELS)[number], fields: Record<string, unknown>): void {
  if (LEVELS.indexOf(level) >= LEVELS.indexOf(logLevel)) console.log(JSON.stringify({ level, ...fields }));
}

/** One client per stage endpoint: the override (custom domains, the sandbox) or `https://{domainName}/{stage}`. */
function managementClient({ domainName, stage }: { domainName?: string; stage?: string }): ApiGatewayManagementApiClient {
  const endpoint = endpointOverride ?? `https://${domainName}/${stage}`;
  let client = managementClients.get(endpoint);
  if (!client) managementClients.set(endpoint, (client = new ApiGatewayManagementApiClient({ endpoint, requestHandler })));
  return client;
}

/**
 * The `teleprinter` route (the AWS sample's, on this project): streams TELEPRINTER_TEXT to the caller,
 * one character per plain text frame every TELEPRINTER_INTERVAL_MS, from the cursor kept in the user's
 * most recent resumable session; when the connection goes away (PostToConnection answers 410) it
 * saves how far it got, so the same anonymous id continues there on its next connection.
 */
export const handler = async (event: TeleprinterEvent, context?: { awsRequestId?: string; getRemainingTimeInMillis(): number }): Promise<APIGatewayProxyResultV2> => {
  const { connectionId, connectedAt, requestTimeEpoch, authorizer } = event.requestContext;
  // The authorizer's principal is the user id's fingerprint: an anonymous id is a credential, never logged.
  const user = authorizer?.principalId;
  const read = fromAuthorizerContext(authorizer);
  const identity = read.ok ? read.identity : undefined;
  if (!identity) {
    // A two-phase connection before `auth`: nobody to keep a cursor for.
    log('warn', { event: 'teleprinter', connectionId, reason: 'unauthenticated' });
    return { statusCode: 200 };
  }
  const client = managementClient(event.requestContext);
  const request = { userId: identity.userId, connectionId, connectedAt: connectedAt ?? requestTimeEpoch, requestId: context?.awsRequestId ?? randomUUID() };
  const outcome = await teleprint(request, teleprinter, {
    sessions,
    lock,
    latestSessionId: (userId, now) => latestSessionId({ client: documents, tableName }, userId, now),
    async post(data) {
      try {
        await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
        return 'sent';
      } catch (error) {
        // A gone connection's item is left to its $disconnect, which also starts the session's resume window.
        if (error instanceof GoneException) return 'gone';
        throw error;
      }
    },
    sleep,
    now: Date.now,
    remainingMs: () => Math.min(context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY, requestTimeEpoch + INTEGRATION_TIMEOUT_MS - Date.now()),
  });
  log(outcome.result === 'contended' || (outcome.sessionId !== undefined && !outcome.saved) ? 'warn' : 'info', { event: 'teleprinter', connectionId, user, ...outcome });
  return { statusCode: 200 };
};
