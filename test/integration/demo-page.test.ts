import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { SessionClient } from '../../packages/client/src';
import { demoControls } from '../../sandbox/demo-controls';
import { startDemoServer } from '../../sandbox/demo-server';
import { freePort } from '../../sandbox/dynamo-local';
import { launchChromium } from '../helpers/chromium';
import { eventually, managementClient, sleep } from '../helpers/clients';
import { startOutageProxy } from '../helpers/outage-proxy';
import { startTestProject } from '../helpers/project-sandbox';

/** Screenshots, for a person to look at (git-ignored; npm test clears the folder first). */
const SHOTS = path.resolve(__dirname, '..', '..', '.test-results', 'demo-page');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('demo page on the client library in headless Chromium', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let demo: Awaited<ReturnType<typeof startDemoServer>>;
  let stormPort: number;
  let browser: Browser;
  let publisher: SessionClient;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const demoPort = await freePort();
    stormPort = await freePort();
    project = await startTestProject({ allowedOrigins: [`http://127.0.0.1:${demoPort}`, `http://127.0.0.1:${stormPort}`] });
    demo = await startDemoServer({ port: demoPort, websocketUrl: project.sandbox.url, controls: demoControls(project.sandbox) });
    browser = await launchChromium();
    publisher = new SessionClient({ url: project.sandbox.url, WebSocket });
    await new Promise((resolve) => publisher.on('open', resolve));
  });
  afterAll(async () => {
    publisher?.close();
    await browser?.close();
    await demo?.stop();
    await project?.sandbox.stop();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  /** A tab of its own (its own sessionStorage, so its own anonymous id) on `url`, following `channel`. */
  const openTab = async (channel: string, url = demo.url) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${url}/?channel=${encodeURIComponent(channel)}`);
    await page.locator('#events li', { hasText: `joined ${channel}` }).waitFor({ timeout: 20_000 });
    return { context, page, id: await page.locator('#identity').innerText() };
  };
  /** The seqs the page's chat shows for a channel, in the order shown. */
  const shownSeqs = (page: Page, channel: string) =>
    page.$$eval(`#chat li[data-channel="${channel}"]`, (items) => items.map((item) => Number((item as HTMLElement).dataset.seq)));
  const waitForSeq = (page: Page, channel: string, seq: number) =>
    page.locator(`#chat li[data-channel="${channel}"][data-seq="${seq}"]`).waitFor({ timeout: 30_000 });
  const count = (page: Page, selector: string) => page.locator(selector).count();
  /** Publishes `from`…`to` on `channel` from Node, one every few milliseconds: a steady stream. */
  const stream = async (channel: string, from: number, to: number) => {
    for (const n of range(from, to)) {
      await publisher.publish(channel, { from: 'publisher', text: `message ${n}` });
      await sleep(20);
    }
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  it('lets two tabs chat on a channel, each with its own anonymous id, and shows a push made with the SDK', async () => {
    const channel = `chat-${randomUUID().slice(0, 8)}`;
    const alice = await openTab(channel);
    const bob = await openTab(channel);
    expect(alice.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(bob.id).not.toBe(alice.id);
    expect(await alice.page.locator('#state').innerText()).toBe('open');
    expect(await alice.page.locator('#session').innerText()).toMatch(/\S{8,}/);

    await alice.page.fill('#text', 'hello from Alice');
    await alice.page.press('#text', 'Enter');
    await waitForSeq(bob.page, channel, 1);
    await bob.page.fill('#text', 'hello back');
    await bob.page.click('#say button');
    await waitForSeq(alice.page, channel, 2);
    for (const { page } of [alice, bob]) {
      expect(await shownSeqs(page, channel)).toEqual([1, 2]);
      expect(await page.locator('#chat').innerText()).toMatch(new RegExp(`#1 ${channel} ${alice.id.slice(0, 8)}: hello from Alice\\n#2 ${channel} ${bob.id.slice(0, 8)}: hello back`));
      expect(await page.locator(`#seqs tr[data-channel="${channel}"] td.mono`).innerText()).toBe('2');
    }
    expect(await count(alice.page, '#chat li.mine')).toBe(1);

    // Frames that reach the page outside the library's channels still show in the panel.
    const [connection] = [...project.sandbox.gateway.connections.values()].filter((live) => live.authorizer?.userId === alice.id);
    await managementClient(project.sandbox.managementEndpoint).send(new PostToConnectionCommand({ ConnectionId: connection!.facts.connectionId, Data: '{"hello":"browser"}' }));
    await alice.page.locator('#frames li.in', { hasText: '{"hello":"browser"}' }).waitFor();
    expect(await alice.page.locator('#frames li.out', { hasText: '"action":"publish"' }).count()).toBe(1);
    await shot(alice.page, 'chat');
  }, 60_000);

  it('resumes mid-stream with no gap and no duplicate after the server drops it, the network is cut, and the browser goes offline', async () => {
    const channel = `stream-${randomUUID().slice(0, 8)}`;
    const { context, page, id } = await openTab(channel);
    const resumes = (n: number) => page.locator('#events li.resumed').nth(n - 1).waitFor({ timeout: 30_000 });

    const first = stream(channel, 1, 20);
    await waitForSeq(page, channel, 5);
    await page.click('#drop'); // DeleteConnection through the Management API
    await first;
    await resumes(1);

    const second = stream(channel, 21, 40);
    await waitForSeq(page, channel, 25);
    await page.click('#cut'); // the TCP connection ends without a close frame
    await second;
    await resumes(2);

    // Offline in the browser's own network emulation, and the server drops the connection meanwhile:
    // the client waits for `online` and then resumes.
    await waitForSeq(page, channel, 40);
    await context.setOffline(true);
    await demoControls(project.sandbox).run('cut', id);
    await page.locator('#state[data-state="reconnecting"]').waitFor();
    await stream(channel, 41, 60);
    await context.setOffline(false);
    await resumes(3);
    await waitForSeq(page, channel, 60);
    await sleep(300);

    expect(await shownSeqs(page, channel)).toEqual(range(1, 60));
    expect(await count(page, '#events li.gap')).toBe(0);
    expect(await count(page, '#events li.resumed')).toBe(3);
    expect(await page.locator(`#seqs tr[data-channel="${channel}"] td.mono`).innerText()).toBe('60');
    await shot(page, 'resumed');
  }, 90_000);

  it('handles goaway on a second connection mid-stream: no reconnecting, no gap, no duplicate', async () => {
    const channel = `goaway-${randomUUID().slice(0, 8)}`;
    const { page } = await openTab(channel);
    const streamed = stream(channel, 1, 30);
    await waitForSeq(page, channel, 8);
    await page.click('#goaway');
    await streamed;
    await page.locator('#events li.resumed').waitFor({ timeout: 30_000 });
    await waitForSeq(page, channel, 30);
    await sleep(300);

    expect(await shownSeqs(page, channel)).toEqual(range(1, 30));
    expect(await count(page, '#events li.gap')).toBe(0);
    expect(await page.locator('#events li.state').allInnerTexts()).toEqual([expect.stringMatching(/ state open$/)]);
    expect(await page.locator('#events li.sandbox').innerText()).toMatch(/goaway: 1 connection$/);
  }, 60_000);

  it('makes no reconnect storm while the API is down, then resumes what was published meanwhile', async () => {
    const proxy = await startOutageProxy(project.sandbox.port);
    const behindProxy = await startDemoServer({ port: stormPort, websocketUrl: project.sandbox.url.replace(`:${project.sandbox.port}/`, `:${proxy.port}/`) });
    try {
      const channel = `outage-${randomUUID().slice(0, 8)}`;
      const { page } = await openTab(channel, behindProxy.url);
      await stream(channel, 1, 1);
      await waitForSeq(page, channel, 1);

      const before = proxy.attempts;
      proxy.down();
      // 15 s rather than the 30 s of a real outage, to keep the suite short: it covers the backoff's
      // whole climb (0.5, 1, 2, 4, 8 s ceilings) to its first 30 s ceiling, after which attempts only thin out.
      const windowMs = 15_000;
      await stream(channel, 2, 6);
      await page.locator('#state[data-state="reconnecting"]').waitFor();
      await sleep(windowMs);
      const handshakes = proxy.attempts - before;
      await shot(page, 'outage');
      proxy.up();
      console.log(`demo page: ${handshakes} handshakes in a ${windowMs / 1000} s outage (${((handshakes * 60_000) / windowMs).toFixed(1)} per minute)`);
      // A page retrying every 100 ms would make 150 in the window; the jittered backoff makes about 6.
      expect(handshakes).toBeLessThanOrEqual(15);
      expect(handshakes).toBeGreaterThanOrEqual(1);

      await waitForSeq(page, channel, 6);
      await sleep(300);
      expect(await shownSeqs(page, channel)).toEqual(range(1, 6));
      expect(await count(page, '#events li.gap')).toBe(0);
      expect(await page.locator('#state').innerText()).toBe('open');
    } finally {
      await behindProxy.stop();
      await proxy.stop();
    }
  }, 120_000);

  it('refuses a button request without a well-formed anonymous or user id (400) or for an unknown button (404), acting on nothing', async () => {
    const before = project.sandbox.gateway.connections.size;
    const post = (control: string, body: string) => fetch(`${demo.url}/sandbox/${control}`, { method: 'POST', body });
    // An id is an anonymous id or a signed-in user's id: 1–256 characters without control characters.
    for (const body of ['', 'not json', '{}', '{"id":42}', '{"id":""}', JSON.stringify({ id: 'x'.repeat(257) }), JSON.stringify({ id: 'line\nbreak' })]) {
      const response = await post('drop', body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(/anonymous id/);
    }
    expect((await post('explode', JSON.stringify({ id: randomUUID() }))).status).toBe(404);
    expect((await fetch(`${demo.url}/sandbox/drop`)).status).toBe(404);
    expect(await (await post('drop', JSON.stringify({ id: randomUUID() }))).json()).toEqual({ connections: 0 });
    expect(project.sandbox.gateway.connections.size).toBe(before);
    expect(publisher.connectionState).toBe('open');
  });

  it('is refused (403) when served from an origin that is not allowed, and keeps retrying with backoff', async () => {
    const other = await startDemoServer({ port: 0, websocketUrl: project.sandbox.url });
    try {
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(other.url);
      await page.locator('#events li.close', { hasText: 'code 1006' }).waitFor({ timeout: 20_000 });
      expect(await page.locator('#state').innerText()).toMatch(/^(connecting|reconnecting)$/);
      expect(await page.locator('#drop').isDisabled()).toBe(true);
      // The authorizer's log line crosses from its worker thread on its own time: wait for it.
      await eventually(() => project.logs.records('authorizer').some((r) => r.reason === 'origin_not_allowed') || undefined, 10_000, "the authorizer's origin_not_allowed log line");
    } finally {
      await other.stop();
    }
  }, 40_000);
});
