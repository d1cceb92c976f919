import { ApiGatewayManagementApiServiceException, ForbiddenException, GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import { PushError } from '../../functions/lib/errors';
import { configureLog } from '../../functions/lib/log';
import { createPusher } from '../../functions/lib/push/pusher';
import { clientAnswering } from '../helpers/management-fault';
import type { SessionStore } from '../../functions/lib/sessions/session-store';
import type { ConnectionStore } from '../../functions/lib/store/connection-store';

/** These connections have no session (the store finds none), so nothing is detached. */
const sessions = { store: {} as SessionStore, resumeWindowSeconds: 120 };


function recordingStore(): { store: ConnectionStore; deleted: string[] } {
  const deleted: string[] = [];
  const store: ConnectionStore = {
    putConnection: async () => 'stored',
    getConnection: async () => undefined,
    deleteConnection: async (connectionId) => {
      deleted.push(connectionId);
      return undefined;
    },
    listUserConnections: async () => ({ connections: [] }),
    repairConnectionCount: async () => undefined,
    authenticateConnection: async () => 'gone',
    listNearCut: async () => ({ items: [] }),
    claimGoaway: async () => false,
    releaseGoaway: async () => undefined,
    listDead: async () => ({ items: [] }),
    listOverduePending: async () => ({ items: [] }),
    putTokenDeadline: async () => undefined,
    deleteTokenDeadline: async () => undefined,
  };
  return { store, deleted };
}

describe('pusher', () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    configureLog({ level: 'info', sink: (line) => lines.push(line) });
  });

  it('posts an object as JSON and reports sent', async () => {
    const { client, inputs } = clientAnswering('ok');
    const { store, deleted } = recordingStore();
    const result = await createPusher({ client, store, sessions }).send({ connectionId: 'c-1', data: { type: 'pong', ts: 1 } });
    expect(result).toBe('sent');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]?.name).toBe('PostToConnectionCommand');
    expect(inputs[0]?.input).toEqual({ ConnectionId: 'c-1', Data: '{"type":"pong","ts":1}' });
    expect(deleted).toEqual([]);
  });

  it('posts a string as is', async () => {
    const { client, inputs } = clientAnswering('ok');
    await createPusher({ client, store: recordingStore().store, sessions }).send({ connectionId: 'c-1', data: 'raw' });
    expect(inputs[0]?.input).toEqual({ ConnectionId: 'c-1', Data: 'raw' });
  });

  it('deletes a gone connection, logs it and reports gone', async () => {
    const { client } = clientAnswering(new GoneException({ $metadata: { httpStatusCode: 410 }, message: 'gone' }));
    const { store, deleted } = recordingStore();
    expect(await createPusher({ client, store, sessions }).send({ connectionId: 'c-gone', data: {} })).toBe('gone');
    expect(deleted).toEqual(['c-gone']);
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record.event).toBe('stale_connection');
    expect(record.connectionId).toBe('c-gone');
    expect(record.StaleConnections).toBe(1);
  });

  it('treats a gone connection on disconnect the same way', async () => {
    const { client, inputs } = clientAnswering(new GoneException({ $metadata: { httpStatusCode: 410 }, message: 'gone' }));
    const { store, deleted } = recordingStore();
    expect(await createPusher({ client, store, sessions }).disconnect({ connectionId: 'c-gone' })).toBe('gone');
    expect(inputs[0]?.name).toBe('DeleteConnectionCommand');
    expect(deleted).toEqual(['c-gone']);
  });

  it.each(['send', 'disconnect'] as const)('wraps any other failure of %s in a PushError with the cause', async (verb) => {
    const cause = new ForbiddenException({ $metadata: { httpStatusCode: 403 }, message: 'Forbidden' });
    const { client } = clientAnswering(cause);
    const { store, deleted } = recordingStore();
    const pusher = createPusher({ client, store, sessions });
    const attempt = verb === 'send' ? pusher.send({ connectionId: 'c-1', data: {} }) : pusher.disconnect({ connectionId: 'c-1' });
    const error: unknown = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PushError);
    expect((error as PushError).connectionId).toBe('c-1');
    expect((error as PushError).message).toBe(`${verb === 'send' ? 'PostToConnection' : 'DeleteConnection'} failed for c-1`);
    expect((error as PushError).cause).toBe(cause);
    expect(cause).toBeInstanceOf(ApiGatewayManagementApiServiceException);
    expect(deleted).toEqual([]);
  });
});
