/**
 * The login example end to end through the sandbox, in one headless Chromium session: the demo page
 * signs in over the HTTP API on its own origin (the session cookie set, its attributes as sent), the
 * WebSocket connects with the cookie alone and receives a push, and a sixth login elsewhere evicts the
 * page's session, whose socket is told and closed. The second factor and the devices list run over
 * HTTP from Node beside it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Browser, Page } from 'playwright-core';
import { createPublisher } from '../../packages/publisher/src';
import { totp, decodeBase32 } from '../../packages/sessions/src/login/totp';
import { DEMO_ACCOUNTS } from '../../examples/login-flow/functions/demo-accounts';
import ROUTE_KEYS from '../../examples/login-flow/routes.json';
import { startLoginExample, type LoginExample } from '../../examples/login-flow/sandbox';
import { startDemoServer } from '../../sandbox/demo-server';
import { freePort } from '../../sandbox/dynamo-local';
import { FANOUT_QUEUE } from '../../sandbox/project';
import { launchChromium } from '../helpers/chromium';
import { eventually } from '../helpers/clients';
import { documentedPassword } from '../helpers/login-example';
import { startTestProject } from '../helpers/project-sandbox';
import { parseSetCookie } from '../helpers/set-cookie';

/** Screenshots, for a person to look at (git-ignored; npm test clears the folder first). */
const SHOTS = path.resolve(__dirname, '..', '..', '.test-results', 'login-flow');
const routePath = (name: keyof typeof ROUTE_KEYS): string => ROUTE_KEYS[name].split(' ')[1]!;

describe('login example end to end in headless Chromium', () => {
  let login: LoginExample;
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let demo: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const demoPort = await freePort();
    origin = `http://127.0.0.1:${demoPort}`;
    login = await startLoginExample();
    project = await startTestProject({ ...login.options, allowedOrigins: [origin], allowMissingOrigin: false });
    demo = await startDemoServer({ port: demoPort, websocketUrl: project.sandbox.url, httpApi: project.sandbox.httpApi, auth: 'cookie' });
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    await project?.sandbox.stop();
    await login?.stop();
  });

  /** A login from Node (another device): the answer and its Set-Cookie values. */
  const loginOverHttp = async (body: unknown, route: keyof typeof ROUTE_KEYS = 'login') => {
    const response = await fetch(`${demo.url}${routePath(route)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, cookies: response.headers.getSetCookie() };
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const liveConnectionsOf = (userId: string) => [...project.sandbox.gateway.connections.values()].filter((live) => live.authorizer?.userId === userId);

  it('signs in over HTTP, connects with the cookie, gets a push, and loses its socket to a sixth login', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const frames: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => frames.push(String(payload))));
    await page.goto(demo.url);
    await page.locator('#signin').waitFor();
    expect(await page.locator('#state').innerText()).toBe('closed');

    // Sign in: the answer sets the session cookie and the refresh cookie, each with the attributes that matter against CSRF and theft.
    await page.fill('#email', 'ada@example.com');
    await page.fill('#password', documentedPassword('ada@example.com'));
    const [answer] = await Promise.all([page.waitForResponse((response) => response.url().endsWith(routePath('login'))), page.click('#signin button')]);
    expect(answer.status()).toBe(200);
    const setCookies = (await answer.headersArray()).filter(({ name }) => name.toLowerCase() === 'set-cookie').map(({ value }) => parseSetCookie(value));
    const session = setCookies.find(({ name }) => name === '__Host-session')!;
    expect(session.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Lax', path: '/' });
    expect(session.attributes).not.toHaveProperty('domain');
    expect(Number(session.attributes['max-age'])).toBeGreaterThan(0);
    const refresh = setCookies.find(({ name }) => name === '__Secure-refresh')!;
    expect(refresh.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Strict', path: routePath('refresh') });
    // The browser kept both, out of the page's scripts' reach.
    const kept = await context.cookies();
    expect(kept.map(({ name, httpOnly, secure, sameSite, path: cookiePath }) => ({ name, httpOnly, secure, sameSite, path: cookiePath })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: '__Host-session', httpOnly: true, secure: true, sameSite: 'Lax', path: '/' },
      { name: '__Secure-refresh', httpOnly: true, secure: true, sameSite: 'Strict', path: routePath('refresh') },
    ]);
    expect(await page.evaluate(() => document.cookie)).toBe('');

    // The WebSocket opened with the cookie alone (subprotocol ws-sessions.v1, no token) as ada.
    await page.locator('#state[data-state="open"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#user').innerText()).toBe('ada');
    expect([await page.locator('#signin').isVisible(), await page.locator('#code').isVisible(), await page.locator('#signed-in').isVisible()]).toEqual([false, false, true]);
    const [connection] = await eventually(() => (liveConnectionsOf('ada').length === 1 ? liveConnectionsOf('ada') : undefined), 10_000, "ada's connection");
    await page.locator('#devices tr.current').waitFor();
    expect(await page.locator('#devices tr').count()).toBe(1);
    expect(connection!.authorizer).toMatchObject({ userId: 'ada', sessionId: await page.locator('#devices tr.current').getAttribute('data-session-id') });

    // A push to the user through the fan-out queue reaches the page.
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: project.sandbox.sqsEndpoint, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } });
    await createPublisher({ queueUrl: project.sandbox.queues.get(FANOUT_QUEUE)!.url, client: sqs }).sendToUser('ada', { hello: 'ada' });
    await page.locator('#frames li.in', { hasText: '"hello":"ada"' }).waitFor({ timeout: 30_000 });
    sqs.destroy();
    await page.click('#trust');
    await page.locator('#devices tr.current td:nth-child(3)', { hasText: 'yes' }).waitFor();
    await shot(page, 'signed-in');

    // Five more logins from other devices: the sixth session evicts the least recently used, the page's.
    for (let n = 0; n < 5; n += 1) {
      const other = await loginOverHttp({ email: 'ada@example.com', password: documentedPassword('ada@example.com') });
      expect([other.status, other.body.status, other.body.evicted]).toEqual([200, 'SESSION_CREATED', n === 4 ? 1 : 0]);
    }
    // The evicted session's socket is told why, then closed by the server.
    await page.locator('#state[data-state="reconnecting"], #state[data-state="closed"]').waitFor({ timeout: 30_000 });
    expect(frames.some((frame) => frame.includes('SESSION_EVICTED'))).toBe(true);
    await eventually(() => (liveConnectionsOf('ada').length === 0 ? true : undefined), 10_000, "ada's connection gone");
    // And its cookie opens nothing any more.
    const devices = await page.evaluate(async (url) => (await fetch(url)).status, `${demo.url}${routePath('devices')}`);
    expect(devices).toBe(401);
    await shot(page, 'evicted');
    await context.close();
  }, 180_000);

  it('signs in with the second factor over HTTP, lists the devices and logs out everywhere', async () => {
    const grace = DEMO_ACCOUNTS.find((account) => account.email === 'grace@example.com')!;
    const started = await loginOverHttp({ email: grace.email, password: documentedPassword(grace.email) });
    expect(started).toMatchObject({ status: 200, body: { status: 'MFA_REQUIRED', method: 'totp' }, cookies: [] });
    const wrong = await loginOverHttp({ flowId: started.body.flowId, code: '000000' }, 'verifyCode');
    expect([wrong.status, wrong.body.error]).toEqual([401, 'INVALID_CODE']);
    const code = totp(decodeBase32(grace.totpSecretBase32!), Math.floor(Date.now() / 1000));
    const signedIn = await loginOverHttp({ flowId: started.body.flowId, code }, 'verifyCode');
    expect([signedIn.status, signedIn.body.status, signedIn.body.userId]).toEqual([200, 'SESSION_CREATED', 'grace']);
    const cookie = signedIn.cookies.map((value) => value.split(';')[0]).join('; ');

    const devices = await fetch(`${demo.url}${routePath('devices')}`, { headers: { cookie } });
    const listed = (await devices.json()) as { devices: Array<{ current: boolean; mfa: string; device: { browser?: string; os?: string } }> };
    expect(listed.devices).toEqual([expect.objectContaining({ current: true, mfa: 'verified', device: expect.objectContaining({ browser: 'Firefox 133', os: 'Linux' }) })]);

    const out = await fetch(`${demo.url}${routePath('logoutEverywhere')}`, { method: 'POST', headers: { cookie } });
    expect([out.status, ((await out.json()) as { sessions: number }).sessions]).toEqual([200, 1]);
    expect(out.headers.getSetCookie().map((value) => parseSetCookie(value).attributes['max-age'])).toEqual(['0', '0']);
    expect((await fetch(`${demo.url}${routePath('devices')}`, { headers: { cookie } })).status).toBe(401);
  }, 60_000);
});
