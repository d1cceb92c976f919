import { ApiGatewayManagementApiClient, DeleteConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { GoawayFrame } from '../packages/contract/src/frames';
import type { Sandbox } from './index';

/** What the demo page's buttons ask of the sandbox, for the connections of one user. */
export type DemoControl = 'drop' | 'cut' | 'goaway';
export const DEMO_CONTROLS: readonly DemoControl[] = ['drop', 'cut', 'goaway'];

/** How long after a forced `goaway` the gateway cuts the connection, in place of API Gateway's 2 hours. */
export const GOAWAY_CUT_MS = 5_000;

export interface DemoControls {
  /** Acts on every live connection of the user `id` (the authorizer's `userId`: in anonymous mode, the id offered); resolves with how many. */
  run(control: DemoControl, id: string): Promise<number>;
}

/**
 * The demo page's server-side buttons, as an operator or the network would cause them:
 * - `drop`: the Management API's DeleteConnection (a close frame with 1000, as API Gateway sends it);
 * - `cut`: the TCP connection ends with no close frame, as when the network goes;
 * - `goaway`: the frame the sweeper sends near the 2-hour cut, posted through the Management API with a
 *   `closeAt` {@link GOAWAY_CUT_MS} away, and at `closeAt` the gateway's cut (1001) of the connection if
 *   the client is still on it.
 *
 * @example
 * const controls = demoControls(sandbox);
 * await controls.run('goaway', '3f0c…'); // 1: one connection told to go away
 */
export function demoControls(sandbox: Pick<Sandbox, 'gateway' | 'managementEndpoint'>): DemoControls {
  const management = new ApiGatewayManagementApiClient({
    endpoint: sandbox.managementEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    maxAttempts: 1,
  });
  const connectionsOf = (id: string) => [...sandbox.gateway.connections.values()].filter((connection) => connection.authorizer?.userId === id);
  return {
    async run(control, id) {
      const connections = connectionsOf(id);
      for (const connection of connections) {
        const ConnectionId = connection.facts.connectionId;
        if (control === 'drop') await management.send(new DeleteConnectionCommand({ ConnectionId }));
        if (control === 'cut') connection.socket.terminate();
        if (control === 'goaway') {
          const frame: GoawayFrame = { type: 'goaway', reason: 'max_duration', closeAt: Date.now() + GOAWAY_CUT_MS };
          await management.send(new PostToConnectionCommand({ ConnectionId, Data: JSON.stringify(frame) }));
          setTimeout(() => connection.socket.close(1001, 'Going away'), GOAWAY_CUT_MS).unref();
        }
      }
      return connections.length;
    },
  };
}
