import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { SessionClient } from '../../packages/client/src';
import { startDemoServer } from '../../sandbox/demo-server';
import { freePort } from '../../sandbox/dynamo-local';
import { bundleForBrowsers } from '../../scripts/client-bundle';
import { launchChromium } from '../helpers/chromium';
import { startTestProject } from '../helpers/project-sandbox';

const PAGE = `<!doctype html><meta charset="utf-8"><title>client library</title>
<script type="module">import { SessionClient } from './client.js'; window.SessionClient = SessionClient;</script>`;

describe('client library bundled by esbuild in headless Chromium', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let publisher: SessionClient;

  beforeAll(async () => {
    const port = await freePort();
    project = await startTestProject({ allowedOrigins: [`http://127.0.0.1:${port}`] });
    dir = await mkdtemp(path.join(os.tmpdir(), 'client-page-'));
    await writeFile(path.join(dir, 'index.html'), PAGE);
    await writeFile(path.join(dir, 'client.js'), (await bundleForBrowsers()).code);
    server = await startDemoServer({ port, websocketUrl: project.sandbox.url, dir, files: { '/': 'index.html', '/client.js': 'client.js' } });
    browser = await launchChromium();
    page = await browser.newPage();
    publisher = new SessionClient({ url: project.sandbox.url, WebSocket });
    await new Promise((resolve) => publisher.on('open', resolve));
  });
  afterAll(async () => {
    publisher?.close();
    await browser?.close();
    await server?.stop();
    await project?.sandbox.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const pageLog = () => page.evaluate(() => (window as any).log as { received: unknown[]; gaps: unknown[]; resumed: number; states: string[]; id: string });
  const waitForReceived = (count: number) => page.waitForFunction((n) => (window as any).log.received.length >= n, count, { timeout: 20_000 });

  it('connects, publishes, receives, and resumes after a forced drop with no gap and no duplicate', async () => {
    const channel = `page-${randomUUID()}`;
    await page.goto(server.url);
    await page.waitForFunction(() => Boolean((window as any).SessionClient));
    await page.evaluate(
      async ({ url, channel }) => {
        const w = window as any;
        const log = (w.log = { received: [] as unknown[], gaps: [] as unknown[], resumed: 0, states: [] as string[], id: '' });
        const client = new w.SessionClient({ url });
        client.on('gap', (gap: unknown) => log.gaps.push(gap));
        client.on('resumed', () => (log.resumed += 1));
        client.on('statechange', (state: string) => log.states.push(state));
        await new Promise((resolve) => client.on('open', resolve));
        log.id = sessionStorage.getItem('websocket-sessions.id') ?? '';
        await client.subscribe(channel, (message: { data: unknown }) => log.received.push(message.data));
        await client.publish(channel, 'from the page');
      },
      { url: project.sandbox.url, channel },
    );
    await waitForReceived(1);
    expect((await pageLog()).id).toMatch(/^[0-9a-f-]{36}$/);

    for (let n = 1; n <= 10; n += 1) await publisher.publish(channel, n);
    await waitForReceived(11);
    // Cut by the server: the page's socket ends with no close frame; the page reconnects and resumes.
    const pageConnections = [...project.sandbox.gateway.connections.values()].filter((connection) => connection.facts.userAgent?.includes('Chrome'));
    expect(pageConnections).toHaveLength(1);
    pageConnections[0]!.socket.terminate();
    for (let n = 11; n <= 20; n += 1) await publisher.publish(channel, n);
    await waitForReceived(21);
    await page.waitForFunction(() => (window as any).log.resumed >= 1, undefined, { timeout: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const log = await pageLog();
    expect(log.received).toEqual(['from the page', ...Array.from({ length: 20 }, (_, i) => i + 1)]);
    expect(log.gaps).toEqual([]);
    expect(log.resumed).toBe(1);
    expect(log.states).toEqual(['open', 'reconnecting', 'open']);
    await page.evaluate(() => (window as any).client?.close());
  }, 60_000);
});
