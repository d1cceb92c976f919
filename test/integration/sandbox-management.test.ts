import { DeleteConnectionCommand, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { connect, managementClient, rawRequest, SIGNED, type TestClient } from '../helpers/clients';
import { startFixtureSandbox } from '../helpers/fixture-sandbox';
import type { Sandbox } from '../../sandbox';

describe('sandbox Management API fidelity', () => {
  let sandbox: Sandbox;
  let client: TestClient;
  let connectionId: string;

  beforeAll(async () => {
    ({ sandbox } = await startFixtureSandbox());
  });
  afterAll(() => sandbox.stop());
  beforeEach(async () => {
    const before = new Set(sandbox.gateway.connections.keys());
    client = await connect(sandbox.url, { protocols: 'app', headers: { 'User-Agent': 'fidelity-test/1.0' } });
    connectionId = [...sandbox.gateway.connections.keys()].find((id) => !before.has(id))!;
  });
  afterEach(() => client.ws.close());

  it('delivers PostToConnection through the real SDK client as a text frame', async () => {
    await managementClient(sandbox.managementEndpoint).send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"hello":1}' }));
    expect(await client.next()).toEqual({ hello: 1 });
  });

  it('answers a post to an unknown connection with 410 GoneException', async () => {
    const error = await managementClient(sandbox.managementEndpoint)
      .send(new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: 'x' }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GoneException', $metadata: { httpStatusCode: 410 } });
    const raw = await rawRequest(`${sandbox.managementEndpoint}/@connections/AAAAAAAAAAAAAAA%3D`, { method: 'POST', headers: SIGNED, body: 'x' });
    expect(raw.status).toBe(410);
    expect(raw.headers['x-amzn-errortype']).toBe('GoneException');
  });

  it('answers a body over 128 KB with 413 PayloadTooLargeException', async () => {
    const error = await managementClient(sandbox.managementEndpoint)
      .send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x'.repeat(131_073) }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PayloadTooLargeException', $metadata: { httpStatusCode: 413 } });
  });

  it('accepts a body of exactly 128 KB', async () => {
    await managementClient(sandbox.managementEndpoint).send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'y'.repeat(131_072) }));
    expect(((await client.next()) as string).length).toBe(131_072);
  });

  it('answers GetConnection in camelCase with ISO-8601 times', async () => {
    const raw = await rawRequest(`${sandbox.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`, { headers: SIGNED });
    expect(raw.status).toBe(200);
    const body = JSON.parse(raw.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['connectedAt', 'identity', 'lastActiveAt']);
    expect(body.connectedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(body.identity).toEqual({ sourceIp: '127.0.0.1', userAgent: 'fidelity-test/1.0' });

    const viaSdk = await managementClient(sandbox.managementEndpoint).send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(viaSdk.ConnectedAt).toBeInstanceOf(Date);
    expect(viaSdk.Identity?.SourceIp).toBe('127.0.0.1');
  });

  it('answers DeleteConnection with 204 and closes the connection with 1000', async () => {
    const raw = await rawRequest(`${sandbox.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`, { method: 'DELETE', headers: SIGNED });
    expect(raw.status).toBe(204);
    expect((await client.closed).code).toBe(1000);
    await expect(managementClient(sandbox.managementEndpoint).send(new DeleteConnectionCommand({ ConnectionId: connectionId }))).rejects.toMatchObject({
      name: 'GoneException',
    });
  });

  it.each([
    ['encoded = (%3D)', (id: string) => id.replace(/=/g, '%3D')],
    ['raw =', (id: string) => id],
    ['fully encoded', (id: string) => encodeURIComponent(id)],
  ])('decodes a connection id sent %s', async (_what, encode) => {
    const raw = await rawRequest(`${sandbox.managementEndpoint}/@connections/${encode(connectionId)}`, { method: 'POST', headers: SIGNED, body: 'ok' });
    expect(raw.status).toBe(200);
    expect(await client.next()).toBe('ok');
  });

  it('decodes an @ sent as %40 in the path', async () => {
    const raw = await rawRequest(`${sandbox.managementEndpoint.replace(/\/dev$/, '')}/%40connections/${encodeURIComponent(connectionId)}`, {
      headers: SIGNED,
    });
    expect(raw.status).toBe(200);
  });

  it('serves the Management API without the stage in the path as well', async () => {
    const base = sandbox.managementEndpoint.replace(/\/dev$/, '');
    const raw = await rawRequest(`${base}/@connections/${encodeURIComponent(connectionId)}`, { method: 'POST', headers: SIGNED, body: 'no stage' });
    expect(raw.status).toBe(200);
    expect(await client.next()).toBe('no stage');
  });

  it('refuses an unsigned request with 403 and another stage with 403', async () => {
    const unsigned = await rawRequest(`${sandbox.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`, { method: 'POST', body: 'x' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers['x-amzn-errortype']).toBe('ForbiddenException');
    const base = sandbox.managementEndpoint.replace(/\/dev$/, '');
    const otherStage = await rawRequest(`${base}/prod/@connections/${encodeURIComponent(connectionId)}`, { method: 'POST', headers: SIGNED, body: 'x' });
    expect(otherStage.status).toBe(403);
  });
});
