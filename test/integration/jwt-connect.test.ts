import { connect, eventually, handshakeStatus } from '../helpers/clients';
import { allItems } from '../helpers/dynamo';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { startTestProject } from '../helpers/project-sandbox';

const APP = 'ws-sessions.v1';
const rsa = signingKey('RS256', 'rsa-1');
const ec = signingKey('ES256', 'ec-1');
const stranger = signingKey('RS256', 'rsa-1');
const claims = { sub: 'user-42', iss: 'https://issuer.example.com', aud: 'websocket-sessions', tenant_id: 'tenant-7', roles: ['reader', 'admin'] };

describe('JWT connections through the real handlers', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let project: Awaited<ReturnType<typeof startTestProject>>;

  beforeAll(async () => {
    jwks = await startJwksServer([rsa, ec]);
    project = await startTestProject({
      authMode: 'jwt',
      jwt: {
        JWT_ALGORITHMS: 'RS256,ES256',
        JWT_ISSUER: claims.iss,
        JWT_AUDIENCE: claims.aud,
        JWT_JWKS_URL: jwks.url,
        JWT_TOKEN_SOURCES: 'subprotocol,cookie',
      },
      functionEnv: { message: { ACTION_PERMISSIONS: JSON.stringify({ ping: ['admin'] }) } },
    });
  });
  afterAll(async () => {
    await project.sandbox.stop();
    await jwks.stop();
  });
  beforeEach(() => project.logs.clear());

  it.each([
    ['RS256', rsa],
    ['ES256', ec],
  ])('accepts a %s token offered beside the app protocol and echoes only the app protocol', async (_alg, key) => {
    const token = signToken(key, claims);
    const client = await connect(project.sandbox.url, { protocols: [APP, `bearer.${token}`] });
    expect(client.ws.protocol).toBe(APP);
    client.send({ action: 'ping', id: 1 });
    expect(await client.next()).toMatchObject({ type: 'pong', id: 1 });
    const item = (await allItems(project.tableName)).find((i) => i.userId === 'user-42');
    expect(item).toMatchObject({ GSI1PK: 'USER#user-42', authMode: 'jwt' });
    client.ws.close();
    expect(project.logs.text()).not.toContain(token);
    expect(project.logs.text()).not.toContain(token.split('.')[2]);
  });

  it('lets a role the permission map names perform the action and answers others with FORBIDDEN', async () => {
    const admin = await connect(project.sandbox.url, { protocols: [APP, `bearer.${signToken(rsa, claims)}`] });
    admin.send({ action: 'ping', id: 'a' });
    expect(await admin.next()).toMatchObject({ type: 'pong', id: 'a' });

    const reader = await connect(project.sandbox.url, { protocols: [APP, `bearer.${signToken(rsa, { ...claims, sub: 'user-43', roles: 'reader' })}`] });
    reader.send({ action: 'ping', id: 'r' });
    expect(await reader.next()).toEqual({ type: 'error', code: 'FORBIDDEN', message: 'action "ping" needs one of the roles: admin', retryable: false, id: 'r' });
    admin.ws.close();
    reader.ws.close();
  });

  it('accepts the token from the cookie when that source is enabled', async () => {
    const client = await connect(project.sandbox.url, { protocols: APP, headers: { Cookie: `ws_token=${signToken(rsa, claims)}` } });
    expect(client.ws.protocol).toBe(APP);
    client.ws.close();
  });

  describe('rejects, writes nothing and logs a reason without the token', () => {
    // The accepted connections above are closed; wait for their $disconnect to empty the table (but
    // for their users' connection counters, back at 0, which stay until their TTL).
    const written = async () => (await allItems(project.tableName)).filter((item) => !(item.SK === 'CONNECTIONS' && Number(item.count) === 0));
    beforeEach(() => eventually(async () => ((await written()).length === 0 ? true : undefined), 5_000, 'an empty table'));

    const now = () => Math.floor(Date.now() / 1000);
    it.each([
      ['an expired token', () => signToken(rsa, { ...claims, iat: now() - 7200, exp: now() - 3600 }), 'token_expired'],
      ['a token signed by a key with a known kid but other material', () => signToken(stranger, claims), 'signature_invalid'],
      ['a token from another issuer', () => signToken(rsa, { ...claims, iss: 'https://evil.example.com' }), 'issuer_invalid'],
      ['a token for another audience', () => signToken(rsa, { ...claims, aud: 'someone-else' }), 'audience_invalid'],
      ['a token with an unknown kid', () => signToken({ ...rsa, kid: 'rsa-404' }, claims), 'kid_unknown'],
      ['garbage', () => 'not-a-jwt', 'malformed'],
      // Split on the way, these would have granted `admin`.
      ['a token whose role holds a space (a group name)', () => signToken(rsa, { ...claims, roles: ['team admin'] }), 'roles_invalid'],
      ['a token whose role starts with a blank', () => signToken(rsa, { ...claims, roles: [' admin'] }), 'roles_invalid'],
      ['a token whose user id holds a control character', () => signToken(rsa, { ...claims, sub: 'user-42\u0000' }), 'user_id_invalid'],
    ])('%s', async (_what, makeToken, reason) => {
      const token = makeToken();
      expect(await handshakeStatus(project.sandbox.url, { protocols: [APP, `bearer.${token}`] })).toBe(401);
      const rejection = await eventually(() => project.logs.records('authorizer').find((r) => r.event === 'reject'));
      expect(rejection).toMatchObject({ reason, status: 401 });
      expect(project.logs.text()).not.toContain(token);
      expect(await written()).toEqual([]);
    });

    it('a token offered both as a subprotocol and in a cookie, even the same one', async () => {
      const token = signToken(rsa, claims);
      expect(await handshakeStatus(project.sandbox.url, { protocols: [APP, `bearer.${token}`], headers: { Cookie: `ws_token=${token}` } })).toBe(401);
      expect(await eventually(() => project.logs.records('authorizer').find((r) => r.event === 'reject'))).toMatchObject({ reason: 'multiple_tokens', status: 401 });
      expect(await written()).toEqual([]);
    });

    it('a token in the query string, which is not an enabled source', async () => {
      expect(await handshakeStatus(project.sandbox.url, { protocols: APP, query: `token=${signToken(rsa, claims)}` })).toBe(401);
      expect(await eventually(() => project.logs.records('authorizer').find((r) => r.event === 'reject'))).toMatchObject({ reason: 'token_missing' });
    });

    it('a bearer token without the app protocol', async () => {
      expect(await handshakeStatus(project.sandbox.url, { protocols: `bearer.${signToken(rsa, claims)}` })).toBe(401);
      expect(await eventually(() => project.logs.records('authorizer').find((r) => r.event === 'reject'))).toMatchObject({ reason: 'app_protocol_missing' });
    });
  });
});
