import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { SessionClient, type AuthOptions, type SessionError, type WebSocketConstructor } from '../../packages/client/src';
import { eventually } from '../helpers/clients';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { startTestProject } from '../helpers/project-sandbox';

const key = signingKey('ES256', 'client-1');
const ISSUER = 'https://issuer.example.com';
/** A token that expires 63 s from now: with `refreshBeforeSeconds: 60` the client refreshes it 3 s in. */
const shortToken = (sub: string) => signToken(key, { sub, iss: ISSUER, exp: Math.floor(Date.now() / 1000) + 63 });

const withCookie = (cookie: string): WebSocketConstructor =>
  class extends WebSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols, { headers: { cookie } });
    }
  };

describe.each([
  ['jwt', 'bearer'],
  ['two-phase', 'two-phase'],
] as const)('client library on a %s stage', (authMode, mode) => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let project: Awaited<ReturnType<typeof startTestProject>>;
  const clients: SessionClient[] = [];

  beforeAll(async () => {
    jwks = await startJwksServer([key]);
    project = await startTestProject({
      authMode,
      jwt: { JWT_ALGORITHMS: 'ES256', JWT_ISSUER: ISSUER, JWT_JWKS_URL: jwks.url, ...(authMode === 'jwt' ? { JWT_TOKEN_SOURCES: 'subprotocol,cookie' } : {}) },
    });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await project?.sandbox.stop();
    await jwks?.stop();
  });

  const start = async (auth: AuthOptions, Socket: WebSocketConstructor = WebSocket) => {
    const client = new SessionClient({ url: project.sandbox.url, WebSocket: Socket, auth, refreshBeforeSeconds: 60 });
    clients.push(client);
    const errors: SessionError[] = [];
    const closes: number[] = [];
    client.on('error', (error) => errors.push(error));
    client.on('close', ({ code }) => closes.push(code));
    await new Promise((resolve) => client.on('open', resolve));
    return { client, errors, closes };
  };

  /** Subscribes and publishes to itself: the round trip through the fan-out queue. */
  const roundTrip = async (client: SessionClient) => {
    const channel = `auth-${randomUUID()}`;
    const received: unknown[] = [];
    await client.subscribe(channel, (message) => received.push(message.data));
    await client.publish(channel, 'hi');
    await eventually(() => received.length === 1 || undefined, 10_000, 'the message');
  };

  it(`connects with a ${mode} token, and refreshes it with auth on the live connection before it expires`, async () => {
    const user = `user-${randomUUID()}`;
    let issued = 0;
    const { client, errors, closes } = await start({
      mode,
      token: () => {
        issued += 1;
        return shortToken(user);
      },
    });
    await roundTrip(client);
    await eventually(() => issued >= 2 || undefined, 15_000, 'the refresh');
    await roundTrip(client);
    expect(errors).toEqual([]);
    // Refreshed on the same connection: it never closed, and it is still the only one.
    expect(closes).toEqual([]);
    expect(project.sandbox.gateway.connections.size).toBe(1);
  }, 30_000);

  if (authMode === 'jwt') {
    it('connects with the token in a cookie', async () => {
      const { client, errors } = await start({ mode: 'cookie' }, withCookie(`ws_token=${signToken(key, { sub: `user-${randomUUID()}`, iss: ISSUER })}`));
      await roundTrip(client);
      expect(errors).toEqual([]);
    });
  }
});
