import { randomUUID } from 'node:crypto';
import { ConnectionExistsError } from '../../functions/lib/errors';
import { createConnectionStore, type Connection } from '../../functions/lib/store/connection-store';
import { allItems, createTestTable, documentClient } from '../helpers/dynamo';

const NOW = 1_800_000_000;

const connection = (overrides: Partial<Connection> = {}): Connection => ({
  connectionId: `${randomUUID().slice(0, 15)}=`,
  userId: 'user-1',
  authMode: 'anonymous',
  connectedAt: NOW * 1000,
  sourceIp: '203.0.113.7',
  expiresAt: NOW + 7800,
  ...overrides,
});

describe('connection store on DynamoDB Local', () => {
  let tableName: string;
  let clock = NOW;
  const store = () => createConnectionStore({ client: documentClient(), tableName, now: () => clock });

  beforeEach(async () => {
    tableName = await createTestTable('store');
    clock = NOW;
  });

  it('writes a connection under the design keys with a numeric TTL in epoch seconds', async () => {
    const c = connection();
    await store().putConnection(c);
    const [item] = await allItems(tableName);
    expect(item).toEqual({
      PK: `CONNECTION#${c.connectionId}`,
      SK: 'METADATA',
      GSI1PK: 'USER#user-1',
      GSI1SK: `CONNECTION#${c.connectionId}`,
      // Everyone (sharded by the id's hash); no tenant index keys without a tenant.
      GSI3PK: expect.stringMatching(/^ALL#[0-7]$/),
      GSI3SK: `CONNECTION#${String(c.connectedAt).padStart(13, '0')}#${c.connectionId}`,
      type: 'connection',
      connectionId: c.connectionId,
      userId: 'user-1',
      authMode: 'anonymous',
      connectedAt: String(c.connectedAt),
      sourceIp: '203.0.113.7',
      ttl: String(NOW + 7800),
      // Fresh per put: its own retry after a lost answer is told from a conflict by it.
      writeId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('reads back what it wrote', async () => {
    const c = connection();
    await store().putConnection(c);
    expect(await store().getConnection(c.connectionId)).toEqual({ ...c, userAgent: undefined });
  });

  it('refuses to overwrite an existing connection', async () => {
    const c = connection();
    await store().putConnection(c);
    await expect(store().putConnection({ ...c, userId: 'someone-else' })).rejects.toBeInstanceOf(ConnectionExistsError);
    expect((await store().getConnection(c.connectionId))?.userId).toBe('user-1');
  });

  it('treats an item past its ttl as absent although DynamoDB has not deleted it yet', async () => {
    const c = connection({ expiresAt: NOW + 10 });
    await store().putConnection(c);
    clock = NOW + 10;
    expect(await store().getConnection(c.connectionId)).toBeUndefined();
    expect(await allItems(tableName)).toHaveLength(1);
  });

  it('deletes a connection and returns what was deleted', async () => {
    const c = connection();
    await store().putConnection(c);
    expect((await store().deleteConnection(c.connectionId))?.connectionId).toBe(c.connectionId);
    expect(await store().deleteConnection(c.connectionId)).toBeUndefined();
    expect(await allItems(tableName)).toEqual([]);
  });

  it('lists the live connections of a user by Query on GSI1, page by page', async () => {
    const mine = await Promise.all([1, 2, 3, 4, 5].map(async () => {
      const c = connection();
      await store().putConnection(c);
      return c.connectionId;
    }));
    await store().putConnection(connection({ userId: 'user-2' }));
    await store().putConnection(connection({ expiresAt: NOW - 1 }));

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store().listUserConnections('user-1', { limit: 2, cursor });
      seen.push(...page.connections.map((c) => c.connectionId));
      cursor = page.cursor;
      pages += 1;
    } while (cursor);
    expect(seen.sort()).toEqual(mine.sort());
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('rejects a malformed cursor with a clear error', async () => {
    await expect(store().listUserConnections('user-1', { cursor: Buffer.from('[1]').toString('base64url') })).rejects.toThrow('malformed cursor');
  });
});
