import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { withRequestTimeouts } from '../config/aws-client';
import { PushError } from '../errors';
import { log } from '../log';
import { removeConnection, type RemovalDeps } from '../sessions/remove-connection';

export type SendResult = 'sent' | 'gone';

export interface Pusher {
  /** Posts one frame; a connection that is gone (410) is removed (`removeConnection`) and yields `'gone'`. */
  send(params: { connectionId: string; data: unknown }): Promise<SendResult>;
  /** Closes a connection (API Gateway always closes with 1000: send a reason frame first). */
  disconnect(params: { connectionId: string }): Promise<SendResult>;
}

/** SDK v3 errors carry no `statusCode`: use the error name, or the HTTP status when the type header is missing. */
export const isGone = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'GoneException' ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410);

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

/**
 * @example
 * const pusher = createPusher({ client: managementClient(endpoint), store, sessions: { store: sessionStore, resumeWindowSeconds } });
 * await pusher.send({ connectionId, data: { type: 'pong' } });
 */
export function createPusher({ client, ...removal }: { client: ApiGatewayManagementApiClient } & RemovalDeps): Pusher {
  const forget = async (connectionId: string): Promise<'gone'> => {
    await removeConnection(removal, connectionId);
    log({ event: 'stale_connection', connectionId }, { StaleConnections: 1 });
    return 'gone';
  };

  return {
    async send({ connectionId, data }) {
      try {
        await client.send(
          new PostToConnectionCommand({
            ConnectionId: connectionId,
            Data: typeof data === 'string' ? data : JSON.stringify(data),
          }),
        );
        return 'sent';
      } catch (error) {
        if (isGone(error)) return forget(connectionId);
        throw new PushError(`PostToConnection failed for ${connectionId}`, connectionId, { cause: error });
      }
    },

    async disconnect({ connectionId }) {
      try {
        await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
        return 'sent';
      } catch (error) {
        if (isGone(error)) return forget(connectionId);
        throw new PushError(`DeleteConnection failed for ${connectionId}`, connectionId, { cause: error });
      }
    },
  };
}
