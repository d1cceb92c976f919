import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { checkDemoCredentials, DEMO_ACCOUNTS } from '../../examples/login-flow/functions/demo-accounts';
import { BadRequestError, deviceOf, jsonBody, MAX_BODY_BYTES } from '../../examples/login-flow/functions/http';
import ROUTE_KEYS from '../../examples/login-flow/routes.json';
import { documentedAccounts, documentedRouteKeys } from '../helpers/login-example';

const IP = '203.0.113.7';

describe('login example: demo accounts', () => {
  const documented = documentedAccounts();

  it('documents every demo account, and only those', () => {
    expect(documented.map(({ email }) => email)).toEqual(DEMO_ACCOUNTS.map(({ email }) => email));
  });

  it.each(documentedAccounts())('signs $email in with the password the README gives', async ({ email, password, secondFactor }) => {
    const account = DEMO_ACCOUNTS.find((candidate) => candidate.email === email)!;
    expect(await checkDemoCredentials({ email, password, ip: IP })).toEqual({ userId: account.userId, email, mfaRequired: secondFactor.startsWith('TOTP') });
    if (account.totpSecretBase32) expect(secondFactor).toContain(account.totpSecretBase32);
  });

  it.each([
    ['a wrong password', 'ada@example.com', 'analytical-engine!'],
    ['another account’s password', 'ada@example.com', 'cobol-1959'],
    ['an unknown email', 'nobody@example.com', 'analytical-engine'],
    ['an empty password', 'grace@example.com', ''],
  ])('refuses %s', async (_what, email, password) => {
    expect(await checkDemoCredentials({ email, password, ip: IP })).toBeUndefined();
  });
});

describe('login example: routes', () => {
  it('documents exactly the routes of routes.json', () => {
    expect(documentedRouteKeys()).toEqual(Object.values(ROUTE_KEYS));
  });
});

describe('login example: request helpers', () => {
  const event = (userAgent?: string) => ({ headers: userAgent === undefined ? {} : { 'user-agent': userAgent }, requestContext: { http: { sourceIp: IP } } }) as unknown as APIGatewayProxyEventV2;

  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', { browser: 'Firefox 133', os: 'Linux' }],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', { browser: 'Chrome 131', os: 'macOS' }],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', { browser: 'Edge 131', os: 'Windows' }],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', { browser: 'Safari 18', os: 'iOS' }],
  ])('names the device of %s', (userAgent, named) => {
    expect(deviceOf(event(userAgent))).toEqual({ ...named, ip: IP });
  });

  it('stores no name it cannot tell, and never the raw header', () => {
    expect(deviceOf(event('curl/8.5.0'))).toEqual({ ip: IP });
    expect(deviceOf(event())).toEqual({ ip: IP });
  });

  it.each([
    ['no body', undefined, false, /JSON object/],
    ['an empty body', '', false, /JSON object/],
    ['text that is not JSON', '{"email":', false, /not JSON/],
    ['a JSON array', '[]', false, /JSON object/],
    ['JSON null', 'null', false, /JSON object/],
    ['a body over the limit', JSON.stringify({ padding: 'x'.repeat(MAX_BODY_BYTES) }), false, /at most 4096 bytes/],
  ])('refuses %s as a bad request', (_what, body, isBase64Encoded, message) => {
    expect(() => jsonBody({ body, isBase64Encoded })).toThrow(BadRequestError);
    expect(() => jsonBody({ body, isBase64Encoded })).toThrow(message);
  });

  it('reads a JSON object, base64-encoded or not', () => {
    expect(jsonBody({ body: '{"a":1}', isBase64Encoded: false })).toEqual({ a: 1 });
    expect(jsonBody({ body: Buffer.from('{"a":1}').toString('base64'), isBase64Encoded: true })).toEqual({ a: 1 });
  });
});
