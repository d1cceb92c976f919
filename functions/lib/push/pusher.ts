import { DeleteConnectionCommand, type ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { PushError } from '../errors';
import { log } from '../log';
import { removeConnection, type RemovalDeps } from '../sessions/remove-connection';
import { classifyPostError, postToConnection } from './management-api';

export type SendResult = 'sent' | 'gone';

export interface Pusher {
  /** Posts one frame; a connection that is gone (410) is removed (`removeConnection`) and yields `'gone'`. */
  send(params: { connectionId: string; data: unknown }): Promise<SendResult>;
  /** Closes a connection (API Gateway always closes with 1000: send a reason frame first). */
  disconnect(params: { connectionId: string }): Promise<SendResult>;
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
      const outcome = await postToConnection({ client, connectionId, data });
      if (outcome.kind === 'sent') return 'sent';
      if (outcome.kind === 'gone') return forget(connectionId);
      throw new PushError(`PostToConnection failed for ${connectionId}`, connectionId, { cause: outcome.error });
    },

    async disconnect({ connectionId }) {
      try {
        await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
        return 'sent';
      } catch (error) {
        if (classifyPostError(error).kind === 'gone') return forget(connectionId);
        throw new PushError(`DeleteConnection failed for ${connectionId}`, connectionId, { cause: error });
      }
    },
  };
}
