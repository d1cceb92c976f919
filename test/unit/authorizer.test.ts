import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import sample from '../fixtures/events/authorizer-request.json';
import { fingerprint } from '../../functions/lib/log';

const ORIGINAL_ENV = process.env;
const USER_ID = '739bb5b7-3236-4cbd-8132-b281bbe83b42';
/** What the authorizer answers as the principal: the id's fingerprint, never the id (a bearer credential). */
const PRINCIPAL = 'sha256:dccabceaf7b9';
const METHOD_ARN = sample.methodArn;

type Handler = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/** The recorded request with Origin and Sec-WebSocket-Protocol replaced (or removed with `undefined`) in both maps. */
function request(headers: { origin?: string; protocol?: string | string[] }): APIGatewayRequestAuthorizerEvent {
  const event = structuredClone(sample) as unknown as APIGatewayRequestAuthorizerEvent & {
    headers: Record<string, string>;
    multiValueHeaders: Record<string, string[]>;
  };
  const set = (name: string, value: string | string[] | undefined) => {
    delete event.headers[name];
    delete event.multiValueHeaders[name];
    if (value === undefined) return;
    const values = Array.isArray(value) ? value : [value];
    event.headers[name] = values[values.length - 1] ?? '';
    event.multiValueHeaders[name] = values;
  };
  set('Origin', headers.origin);
  set('Sec-WebSocket-Protocol', headers.protocol);
  return event;
}

let output: string[];

beforeEach(() => {
  jest.resetModules();
  process.env = { ...ORIGINAL_ENV, TABLE_NAME: 'connections', AUTH_MODE: 'anonymous', ALLOWED_ORIGINS: 'https://app.example.com' };
  delete process.env.ALLOW_MISSING_ORIGIN;
  delete process.env.ALLOW_GUESTS;
  delete process.env.LOG_LEVEL;
  delete process.env.METRICS_NAMESPACE;
  output = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(chunk.toString());
    return true;
  });
});

afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(() => {
  process.env = ORIGINAL_ENV;
});

const loadHandler = async (): Promise<Handler> => (await import('../../functions/authorizer')).handler;

const logRecords = (): Array<Record<string, unknown>> =>
  output
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const denyPolicy = {
  principalId: 'anonymous',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: METHOD_ARN }] },
};

describe('authorizer handler', () => {
  it('allows an allowed origin with a well-formed id', async () => {
    const handler = await loadHandler();
    const result = await handler(request({ origin: 'https://app.example.com', protocol: USER_ID }));
    expect(result).toStrictEqual({
      principalId: PRINCIPAL,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }] },
      context: { userId: USER_ID, authMode: 'anonymous' },
    });
  });

  it('never makes the anonymous id the principal, which API Gateway may log', async () => {
    const handler = await loadHandler();
    for (const id of [USER_ID, 'another-anonymous-id-0123456789']) {
      const result = await handler(request({ origin: 'https://app.example.com', protocol: id }));
      expect(result.principalId).not.toContain(id);
      expect(result.principalId).toMatch(/^sha256:[0-9a-f]{12}$/);
    }
  });

  it('logs the decision with a fingerprint, never the id', async () => {
    const handler = await loadHandler();
    await handler(request({ origin: 'https://app.example.com', protocol: USER_ID }));
    expect(output.join('')).not.toContain(USER_ID);
    const [record] = logRecords();
    expect(record).toMatchObject({ event: 'authorize', level: 'info', connectionId: sample.requestContext.connectionId, authMode: 'anonymous', user: 'sha256:dccabceaf7b9' });
  });

  it('reads headers whatever their case', async () => {
    const handler = await loadHandler();
    const event = request({});
    event.headers = { origin: 'https://app.example.com', 'sec-websocket-protocol': USER_ID };
    event.multiValueHeaders = {};
    expect((await handler(event)).principalId).toBe(PRINCIPAL);
  });

  it('allows a missing origin by default (a non-browser client)', async () => {
    const handler = await loadHandler();
    expect((await handler(request({ protocol: USER_ID }))).principalId).toBe(PRINCIPAL);
  });

  it('allows any origin with ALLOWED_ORIGINS=*', async () => {
    process.env.ALLOWED_ORIGINS = '*';
    const handler = await loadHandler();
    expect((await handler(request({ origin: 'https://elsewhere.example.org', protocol: USER_ID }))).principalId).toBe(PRINCIPAL);
  });

  it('allows an origin listed among several, normalised', async () => {
    process.env.ALLOWED_ORIGINS = ' https://other.example.com , HTTPS://APP.example.com:443 ';
    const handler = await loadHandler();
    expect((await handler(request({ origin: 'https://app.example.com', protocol: USER_ID }))).principalId).toBe(PRINCIPAL);
  });

  it.each([
    ['a look-alike origin', 'https://app.example.com.evil.com'],
    ['another scheme', 'http://app.example.com'],
    ['another port', 'https://app.example.com:8443'],
    ['the null origin', 'null'],
    ['a trailing slash', 'https://app.example.com/'],
  ])('denies %s with a Deny policy and no context', async (_label, origin) => {
    const handler = await loadHandler();
    expect(await handler(request({ origin, protocol: USER_ID }))).toStrictEqual(denyPolicy);
    const [record] = logRecords();
    expect(record).toMatchObject({ event: 'reject', level: 'warn', stage: 'authorizer', reason: 'origin_not_allowed', status: 403, Rejects: 1, AuthorizerDenials: 1, Reason: 'origin_not_allowed' });
    expect(output.join('')).not.toContain(USER_ID);
  });

  it('denies a missing origin when ALLOW_MISSING_ORIGIN=false', async () => {
    process.env.ALLOW_MISSING_ORIGIN = 'false';
    const handler = await loadHandler();
    expect(await handler(request({ protocol: USER_ID }))).toStrictEqual(denyPolicy);
  });

  it('denies every browser origin when ALLOWED_ORIGINS is empty', async () => {
    process.env.ALLOWED_ORIGINS = '';
    const handler = await loadHandler();
    expect(await handler(request({ origin: 'https://app.example.com', protocol: USER_ID }))).toStrictEqual(denyPolicy);
  });

  it('checks the origin before the id', async () => {
    const handler = await loadHandler();
    expect(await handler(request({ origin: 'https://evil.com', protocol: 'short' }))).toStrictEqual(denyPolicy);
  });

  it.each([
    ['no subprotocol', undefined, 'no_subprotocol', undefined],
    ['an empty subprotocol header', '', 'no_subprotocol', undefined],
    ['two subprotocols in one header', `ws-sessions.v1, ${USER_ID}`, 'multiple_subprotocols', USER_ID],
    ['two subprotocol headers', [USER_ID, 'second-protocol-value'], 'multiple_subprotocols', USER_ID],
    ['the recorded bearer offer', sample.headers['Sec-WebSocket-Protocol'], 'multiple_subprotocols', 'eyJzdWIiOiJ1c2VyLTEifQ'],
    ['a 15-character id', 'abcdefghijklmno', 'malformed_anonymous_id', 'abcdefghijklmno'],
    ['a 129-character id', 'q'.repeat(129), 'malformed_anonymous_id', 'q'.repeat(129)],
    ['an id with a dot', 'abcdefgh.ijklmnopq', 'malformed_anonymous_id', 'abcdefgh.ijklmnopq'],
  ])('rejects %s with Unauthorized and logs the reason, not the id', async (_label, protocol, reason, secret) => {
    const handler = await loadHandler();
    const error: unknown = await handler(request({ origin: 'https://app.example.com', protocol })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Unauthorized');
    const records = logRecords();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      event: 'reject',
      level: 'warn',
      stage: 'authorizer',
      reason,
      status: 401,
      connectionId: sample.requestContext.connectionId,
      authMode: 'anonymous',
      Rejects: 1,
      AuthorizerDenials: 1,
      Reason: reason,
    });
    if (secret !== undefined) expect(output.join('')).not.toContain(secret);
  });

  it('logs rejections even when LOG_LEVEL=error, since they count towards a metric', async () => {
    process.env.LOG_LEVEL = 'error';
    const handler = await loadHandler();
    await handler(request({ origin: 'https://evil.com', protocol: USER_ID })).catch(() => undefined);
    expect(logRecords().map((r) => r.reason)).toEqual(['origin_not_allowed']);
  });

  it.each([
    ['ALLOWED_ORIGINS', 'https://a.com/path'],
    ['ALLOWED_ORIGINS', 'https://a.com/'],
    ['ALLOWED_ORIGINS', 'https://a.com,a.com'],
    ['AUTH_MODE', 'oauth'],
    ['AUTH_MODE', ''],
    ['ALLOW_MISSING_ORIGIN', 'yes'],
    ['ALLOW_MISSING_ORIGIN', 'TRUE'],
    ['TABLE_NAME', ' '],
    ['LOG_LEVEL', 'verbose'],
  ])('fails at import with a ConfigError naming %s when it is %j', async (name, value) => {
    process.env[name] = value;
    const { ConfigError } = await import('../../packages/contract/src/config-error');
    const error: unknown = await loadHandler().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(new RegExp(`^${name} `));
  });

  it.each([
    ['JWT_ALGORITHMS', {}],
    ['JWT_ALGORITHMS', { JWT_ALGORITHMS: 'none' }],
    ['JWT_CLOCK_TOLERANCE_SECONDS', { JWT_ALGORITHMS: 'RS256', JWT_JWKS_URL: 'https://idp.example.com/jwks', JWT_CLOCK_TOLERANCE_SECONDS: '1e3' }],
    ['JWT_TOKEN_SOURCES', { JWT_ALGORITHMS: 'RS256', JWT_JWKS_URL: 'https://idp.example.com/jwks', JWT_TOKEN_SOURCES: 'header' }],
    ['JWT_COOKIE_NAME', { JWT_ALGORITHMS: 'RS256', JWT_JWKS_URL: 'https://idp.example.com/jwks', JWT_COOKIE_NAME: 'a b' }],
    ['exactly one of', { JWT_ALGORITHMS: 'RS256' }],
    ['exactly one of', { JWT_ALGORITHMS: 'RS256', JWT_JWKS_URL: 'https://idp.example.com/jwks', JWT_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:k' }],
    ['JWT_ALGORITHMS', { JWT_ALGORITHMS: 'RS256,ES256', JWT_KEY_SSM_PARAMETER: 'arn:aws:ssm:us-east-1:123456789012:parameter/k' }],
    ['JWT_TOKEN_SOURCES', { JWT_ALGORITHMS: 'RS256', JWT_JWKS_URL: 'https://idp.example.com/jwks', JWT_TOKEN_SOURCES: 'subprotocol,cookie', ALLOWED_ORIGINS: '*' }],
  ])('in jwt mode, fails at import with a ConfigError naming %s', async (name, settings) => {
    Object.assign(process.env, { AUTH_MODE: 'jwt' }, settings);
    const { ConfigError } = await import('../../packages/contract/src/config-error');
    const error: unknown = await loadHandler().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(new RegExp(`^${name} `));
  });

  const jwks = { JWT_ALGORITHMS: 'RS256', JWT_JWKS_URL: 'https://idp.example.com/jwks' };
  const cookieConnect = { ...jwks, SESSION_COOKIE_CONNECT: 'true', SESSION_COOKIE_KEYS_SSM_PARAMETER: '/app/cookie-keys' };
  it.each([
    ['SESSION_COOKIE_CONNECT must not be true while ALLOWED_ORIGINS is "*"', { ...cookieConnect, ALLOWED_ORIGINS: '*' }],
    ['exactly one of SESSION_COOKIE_KEYS_SSM_PARAMETER and SESSION_COOKIE_KEYS_SECRET_ARN', { ...cookieConnect, SESSION_COOKIE_KEYS_SSM_PARAMETER: undefined }],
    ['exactly one of SESSION_COOKIE_KEYS_SSM_PARAMETER and SESSION_COOKIE_KEYS_SECRET_ARN', { ...cookieConnect, SESSION_COOKIE_KEYS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:k' }],
    ['SESSION_COOKIE_NAME must be', { ...cookieConnect, SESSION_COOKIE_NAME: 'a b' }],
    ['SESSION_COOKIE_DOMAIN must be unset for a __Host- cookie', { ...cookieConnect, SESSION_COOKIE_NAME: '__Host-s', SESSION_COOKIE_DOMAIN: 'example.com' }],
    ['JWT_COOKIE_NAME and the session cookie', { ...cookieConnect, SESSION_COOKIE_NAME: 'ws_token', JWT_TOKEN_SOURCES: 'cookie' }],
  ])('in jwt mode with the session cookie, fails at import with a ConfigError: %s', async (message, settings) => {
    Object.assign(process.env, { AUTH_MODE: 'jwt' }, settings);
    for (const [name, value] of Object.entries(settings)) if (value === undefined) delete process.env[name];
    const { ConfigError } = await import('../../packages/contract/src/config-error');
    const error: unknown = await loadHandler().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
  });

  it('in jwt mode with the session cookie and listed origins, loads (the key set is read on the first cookie)', async () => {
    Object.assign(process.env, { AUTH_MODE: 'jwt' }, cookieConnect);
    await expect(loadHandler()).resolves.toBeInstanceOf(Function);
  });

  it('in jwt mode, takes the token from a cookie when the origins are listed', async () => {
    Object.assign(process.env, { AUTH_MODE: 'jwt', JWT_ALGORITHMS: 'RS256', JWT_JWKS_URL: 'https://idp.example.com/jwks', JWT_TOKEN_SOURCES: 'cookie' });
    await expect(loadHandler()).resolves.toBeInstanceOf(Function);
  });

  it('fails at import when TABLE_NAME is missing', async () => {
    delete process.env.TABLE_NAME;
    const { ConfigError } = await import('../../packages/contract/src/config-error');
    const error: unknown = await loadHandler().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('TABLE_NAME is required and must be a non-empty string');
  });

  describe('in two-phase mode', () => {
    beforeEach(() => {
      process.env.AUTH_MODE = 'two-phase';
    });

    it('allows a handshake offering the app protocol as pending, with no identity in the context', async () => {
      const handler = await loadHandler();
      const result = await handler(request({ origin: 'https://app.example.com', protocol: 'ws-sessions.v1' }));
      expect(result.principalId).toBe('pending');
      expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
      expect(result.context).toStrictEqual({ authMode: 'two-phase' });
    });

    it.each([
      ['no app protocol', 'some-id-0123456789abcdef'],
      ['the app protocol in another case', 'WS-SESSIONS.V1'],
    ])('answers a handshake offering %s with 401', async (_what, protocol) => {
      const handler = await loadHandler();
      await expect(handler(request({ origin: 'https://app.example.com', protocol }))).rejects.toThrow('Unauthorized');
      expect(logRecords().map((r) => r.reason)).toEqual(['app_protocol_missing']);
    });

    it('still checks the origin', async () => {
      const handler = await loadHandler();
      const result = await handler(request({ origin: 'https://evil.example.com', protocol: 'ws-sessions.v1' }));
      expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    });

    it('with ALLOW_GUESTS=true admits an anonymous id offered alone as a guest, and the app protocol still as pending', async () => {
      process.env.ALLOW_GUESTS = 'true';
      const handler = await loadHandler();
      const guest = await handler(request({ origin: 'https://app.example.com', protocol: USER_ID }));
      // In the guest namespace: neither its user id nor its principal is a signed-in user's of the same id.
      expect(guest).toMatchObject({ principalId: fingerprint(`guest:${USER_ID}`), context: { userId: `guest:${USER_ID}`, authMode: 'anonymous' } });
      expect(guest.principalId).not.toBe(PRINCIPAL);
      expect(guest.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
      expect((await handler(request({ origin: 'https://app.example.com', protocol: 'ws-sessions.v1' }))).principalId).toBe('pending');
      const foreign = await handler(request({ origin: 'https://evil.example.com', protocol: USER_ID }));
      expect(foreign.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    });

    it('refuses an ALLOW_GUESTS that is not "true" or "false" at init', async () => {
      process.env.ALLOW_GUESTS = 'yes';
      await expect(loadHandler()).rejects.toThrow('ALLOW_GUESTS must be "true" or "false", got "yes"');
    });
  });
});
