import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { withRequestTimeouts } from '../config/aws-client';

/**
 * What became of a call to the Management API, for every caller: `gone` (410: the connection is
 * closed, delete it), `retry` (429, 5xx or no answer: try again later), `rejected` (any other answer,
 * such as 403, 413 or 400: final). `error` is what the SDK threw.
 */
export type PostOutcome =
  | { kind: 'sent' }
  | { kind: 'gone' }
  | { kind: 'retry'; status: number | undefined; error: unknown }
  | { kind: 'rejected'; reason: 'forbidden' | 'payload_too_large' | 'bad_request'; status: number | undefined; error: unknown };

/** What a failed call can be: every outcome but `sent`. */
export type PostFailure = Exclude<PostOutcome, { kind: 'sent' }>;

/** SDK v3 errors carry no `statusCode`: the HTTP status is in `$metadata`. */
const statusOf = (error: Error): number | undefined => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * Classifies what the SDK threw for a Management API call. The error's name says what it is, or the
 * HTTP status when the error type header was missing. Anything thrown that is not an `Error` is no
 * answer from API Gateway: retried.
 * @example
 * const outcome = classifyPostError(new GoneException({ $metadata: { httpStatusCode: 410 }, message: 'gone' }));
 * // { kind: 'gone' }
 */
export function classifyPostError(error: unknown): PostFailure {
  if (!(error instanceof Error)) return { kind: 'retry', status: undefined, error };
  const status = statusOf(error);
  const { name } = error;
  if (name === 'GoneException' || status === 410) return { kind: 'gone' };
  if (name === 'LimitExceededException' || name === 'ThrottlingException' || status === 429) return { kind: 'retry', status, error };
  if (status === undefined || status >= 500) return { kind: 'retry', status, error };
  if (name === 'ForbiddenException' || status === 403) return { kind: 'rejected', reason: 'forbidden', status, error };
  if (name === 'PayloadTooLargeException' || status === 413) return { kind: 'rejected', reason: 'payload_too_large', status, error };
  return { kind: 'rejected', reason: 'bad_request', status, error };
}

/** Whether a Management API call failed because the connection is gone (410). */
export const isGone = (error: unknown): boolean => classifyPostError(error).kind === 'gone';

/**
 * Posts one frame to a connection, once, and says what became of it (see `PostOutcome`); it never
 * throws for an answer of the API. Objects are sent as JSON, strings as they are.
 * @example
 * const outcome = await postToConnection({ client, connectionId, data: { type: 'pong' } });
 * if (outcome.kind === 'gone') await forget(connectionId);
 */
export async function postToConnection({
  client,
  connectionId,
  data,
}: {
  client: ApiGatewayManagementApiClient;
  connectionId: string;
  data: unknown;
}): Promise<PostOutcome> {
  try {
    await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: typeof data === 'string' ? data : JSON.stringify(data) }));
    return { kind: 'sent' };
  } catch (error) {
    return classifyPostError(error);
  }
}

const clients = new Map<string, ApiGatewayManagementApiClient>();

/**
 * The Management API endpoint of the stage that sent `event`: an explicit override (custom domains, the
 * sandbox) or `https://{domainName}/{stage}`.
 */
export function managementEndpoint(
  requestContext: { domainName?: string; stage?: string },
  override: string | undefined,
): string {
  if (override) return override;
  if (!requestContext.domainName || !requestContext.stage) {
    throw new Error('the event has no domainName/stage to derive the management endpoint from');
  }
  return `https://${requestContext.domainName}/${requestContext.stage}`;
}

/** One client per endpoint for the life of the container. */
export function managementClient(endpoint: string): ApiGatewayManagementApiClient {
  let client = clients.get(endpoint);
  if (!client) {
    client = new ApiGatewayManagementApiClient(withRequestTimeouts({ endpoint }));
    clients.set(endpoint, client);
  }
  return client;
}
