import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { Browser, Page } from 'playwright-core';
import { startDemoServer } from '../../sandbox/demo-server';
import { launchChromium } from '../helpers/chromium';
import { managementClient } from '../helpers/clients';
import { startTestProject } from '../helpers/project-sandbox';
import { freePort } from '../../sandbox/dynamo-local';

describe('demo page in headless Chromium', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let demo: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const demoPort = await freePort();
    project = await startTestProject({ allowedOrigins: [`http://127.0.0.1:${demoPort}`] });
    demo = await startDemoServer({ port: demoPort, websocketUrl: project.sandbox.url });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    await project?.sandbox.stop();
  });
  beforeEach(async () => {
    page = await browser.newPage();
  });
  afterEach(() => page.close());

  const logText = () => page.locator('#log').innerText();

  it('connects with its anonymous id, sees the id echoed, pings and receives a push made with the SDK', async () => {
    await page.goto(demo.url);
    await page.locator('#identity').filter({ hasText: /^[0-9a-f-]{36}$/ }).waitFor();
    const id = await page.locator('#identity').innerText();

    await page.click('#connect');
    await page.locator('#status[data-state="open"]').waitFor();
    expect(await page.locator('#status').innerText()).toBe(`connected (subprotocol ${id})`);

    await page.click('#ping');
    await page.locator('#log .in', { hasText: '"type":"pong"' }).waitFor();

    const [connectionId] = [...project.sandbox.gateway.connections.keys()];
    await managementClient(project.sandbox.managementEndpoint).send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"hello":"browser"}' }));
    await page.locator('#log .in', { hasText: '{"hello":"browser"}' }).waitFor();

    await page.fill('#frame', 'not json');
    await page.click('#send');
    await page.locator('#log .in', { hasText: 'BAD_MESSAGE' }).waitFor();
    if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/demo.png`, fullPage: true });

    await page.click('#disconnect');
    await page.locator('#log .sys', { hasText: 'closed with code 1000' }).waitFor();
  });

  it('is refused (403) when served from an origin that is not allowed', async () => {
    const other = await startDemoServer({ port: 0, websocketUrl: project.sandbox.url });
    try {
      await page.goto(other.url);
      await page.locator('#identity').filter({ hasText: /^[0-9a-f-]{36}$/ }).waitFor();
      await page.click('#connect');
      await page.locator('#log .sys', { hasText: 'closed with code 1006' }).waitFor();
      expect(await logText()).toContain('connection error');
      expect(project.logs.records('authorizer').some((r) => r.reason === 'origin_not_allowed')).toBe(true);
    } finally {
      await other.stop();
    }
  });
});
