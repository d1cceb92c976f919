import { randomUUID } from 'node:crypto';
import { createPusher } from '../../functions/lib/push/pusher';
import { createSessionStore } from '../../functions/lib/sessions/session-store';
import { createConnectionStore } from '../../functions/lib/store/connection-store';
import { managementClient } from '../helpers/clients';
import { allItems, documentClient } from '../helpers/dynamo';
import { startTestProject } from '../helpers/project-sandbox';
import { connect } from '../helpers/clients';

describe('pushing through the Management API', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;

  beforeAll(async () => {
    project = await startTestProject();
  });
  afterAll(() => project.sandbox.stop());

  const pusher = () =>
    createPusher({
      client: managementClient(project.sandbox.managementEndpoint),
      store: createConnectionStore({ client: documentClient(), tableName: project.tableName }),
      sessions: { store: createSessionStore({ client: documentClient(), tableName: project.tableName }), resumeWindowSeconds: 120 },
    });

  it('delivers a frame to a live connection found through the store', async () => {
    const userId = randomUUID();
    const client = await connect(project.sandbox.url, { protocols: userId });
    const store = createConnectionStore({ client: documentClient(), tableName: project.tableName });
    const { connections } = await store.listUserConnections(userId);
    expect(connections).toHaveLength(1);
    expect(await pusher().send({ connectionId: connections[0]!.connectionId, data: { type: 'hello' } })).toBe('sent');
    expect(await client.next()).toEqual({ type: 'hello' });
    client.ws.close();
  });

  it('deletes the item of a connection that answers 410 Gone and reports it as gone', async () => {
    const store = createConnectionStore({ client: documentClient(), tableName: project.tableName });
    const connectionId = 'StaleConnectio=';
    await store.putConnection({ connectionId, userId: 'ghost', authMode: 'anonymous', connectedAt: Date.now(), expiresAt: Math.floor(Date.now() / 1000) + 600 });
    expect(await pusher().send({ connectionId, data: 'x' })).toBe('gone');
    expect((await allItems(project.tableName)).filter((i) => i.connectionId === connectionId)).toEqual([]);
  });
});
