import type { Browser } from 'playwright-core';
import { startDemoServer } from '../../sandbox/demo-server';
import { freePort } from '../../sandbox/dynamo-local';
import { launchChromium } from '../helpers/chromium';
import { signingKey, signToken, startJwksServer } from '../helpers/jwks';
import { startTestProject } from '../helpers/project-sandbox';

const key = signingKey('RS256', 'rsa-1');

describe('JWT mode in headless Chromium', () => {
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let page: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;

  beforeAll(async () => {
    jwks = await startJwksServer([key]);
    const port = await freePort();
    project = await startTestProject({
      authMode: 'jwt',
      allowedOrigins: [`http://127.0.0.1:${port}`],
      jwt: { JWT_ALGORITHMS: 'RS256', JWT_JWKS_URL: jwks.url },
    });
    // Any page of that origin will do: the test opens its WebSockets from the page's context.
    page = await startDemoServer({ port, websocketUrl: project.sandbox.url });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await page?.stop();
    await project?.sandbox.stop();
    await jwks?.stop();
  });

  /** Opens a WebSocket in the page offering `protocols`; resolves with what the browser saw. */
  const openInBrowser = async (protocols: string[]) => {
    const tab = await browser.newPage();
    try {
      await tab.goto(page.url);
      return await tab.evaluate(
        ({ url, offered }) =>
          new Promise<{ opened: boolean; protocol: string; reply?: string }>((resolve) => {
            const ws = new WebSocket(url, offered);
            ws.onopen = () => ws.send(JSON.stringify({ action: 'ping', id: 'b' }));
            ws.onmessage = (event) => {
              resolve({ opened: true, protocol: ws.protocol, reply: String(event.data) });
              ws.close();
            };
            ws.onclose = () => resolve({ opened: false, protocol: ws.protocol });
          }),
        { url: project.sandbox.url, offered: protocols },
      );
    } finally {
      await tab.close();
    }
  };

  it('offers the app protocol and the bearer token, and gets only the app protocol echoed', async () => {
    const token = signToken(key, { sub: 'browser-user' });
    const seen = await openInBrowser(['ws-sessions.v1', `bearer.${token}`]);
    expect(seen).toMatchObject({ opened: true, protocol: 'ws-sessions.v1' });
    expect(JSON.parse(seen.reply!)).toMatchObject({ type: 'pong', id: 'b' });
    expect(project.logs.text()).not.toContain(token);
  });

  it('never opens with a token signed by another key', async () => {
    const seen = await openInBrowser(['ws-sessions.v1', `bearer.${signToken(signingKey('RS256', 'rsa-1'), { sub: 'intruder' })}`]);
    expect(seen.opened).toBe(false);
  });
});
