import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CLIENT_PAGES } from '../../examples/anonymous-resume/client-files';
import { startDemoServer } from '../../sandbox/demo-server';
import { demoControls } from '../../sandbox/demo-controls';
import { freePort } from '../../sandbox/dynamo-local';
import { DIST } from '../../sandbox/project';
import { launchChromium } from '../helpers/chromium';
import { startTestProject } from '../helpers/project-sandbox';

const TEXT = 'Mr. Watson, come here, I want to see you. RYRYRYRY 0123456789';

/**
 * Whether `printed` is `text` with at most `dropped` characters missing: a browser drops the frames that
 * arrive after it called close() (the WebSocket API only delivers messages while OPEN), though
 * API Gateway accepted them, so a Disconnect click can lose the character in flight. Anything else
 * (a restart from the beginning, a repeat) is not a deletion.
 */
function isTextWithDeletions(printed: string, text: string, dropped: number): boolean {
  let i = 0;
  for (const char of text) if (i < printed.length && printed[i] === char) i += 1;
  return i === printed.length && text.length - printed.length <= dropped;
}

describe('examples/anonymous-resume client in headless Chromium', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  let client: Awaited<ReturnType<typeof startDemoServer>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const port = await freePort();
    project = await startTestProject({
      allowedOrigins: [`http://127.0.0.1:${port}`],
      extraRoutes: { teleprinter: { source: { zip: path.join(DIST, 'teleprinter.zip') }, env: { TELEPRINTER_INTERVAL_MS: '40', TELEPRINTER_TEXT: TEXT } } },
    });
    client = await startDemoServer({ port, websocketUrl: project.sandbox.url, ...CLIENT_PAGES });
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await client?.stop();
    await project?.sandbox.stop();
  });

  const printed = () => page.locator('#teleprinter').innerText();
  const waitForPrinted = (length: number) => page.waitForFunction((n) => (document.getElementById('teleprinter')?.textContent ?? '').length >= n, length);

  it('prints, carries on after Disconnect/Connect with the stored id, and starts over after Reset Identity', async () => {
    await page.goto(client.url);
    await page.locator('#identity').filter({ hasText: /^[0-9a-f-]{36}$/ }).waitFor();
    const id = await page.locator('#identity').innerText();

    await page.click('#toggle');
    await page.locator('#status[data-state="open"]').waitFor();
    expect(await page.locator('#status').innerText()).toBe(`connected as ${id}`);
    await waitForPrinted(12);
    await page.click('#toggle');
    await page.locator('#status[data-state="closed"]').waitFor();
    const atCut = (await printed()).length;
    expect(atCut).toBeLessThan(TEXT.length - 10);

    // The id survives a reload (localStorage), and the printout continues where it stopped.
    await page.reload();
    await page.locator('#identity', { hasText: id }).waitFor();
    await page.click('#toggle');
    await waitForPrinted(TEXT.length - atCut - 1);
    await page.waitForTimeout(200);
    const resumed = await printed();
    expect(TEXT.endsWith(resumed)).toBe(true);
    expect(resumed.length).toBeGreaterThanOrEqual(TEXT.length - atCut - 1);
    await page.click('#toggle');
    await page.locator('#status[data-state="closed"]').waitFor();

    await page.click('#reset');
    const other = await page.locator('#identity').innerText();
    expect(other).not.toBe(id);
    expect(await printed()).toBe('');
    await page.click('#toggle');
    await page.locator('#status', { hasText: `connected as ${other}` }).waitFor();
    await waitForPrinted(10);
    expect(TEXT.startsWith(await printed())).toBe(true);
  });

  it('a whole printout survives a cut: what was printed before and after is the text, at most the character in flight missing', async () => {
    await page.goto(client.url);
    await page.click('#reset');
    let all = '';
    await page.click('#toggle');
    await waitForPrinted(20);
    await page.click('#toggle');
    await page.locator('#status[data-state="closed"]').waitFor();
    all += await printed();
    await page.reload();
    await page.locator('#status[data-state="closed"]').waitFor();
    await page.click('#toggle');
    await waitForPrinted(TEXT.length - all.length - 1);
    await page.waitForTimeout(200);
    all += await printed();
    expect({ all, ok: isTextWithDeletions(all, TEXT, 1) }).toEqual({ all, ok: true });
  });

  it('library.html: the page on the client library completes the text exactly across a cut of its connection mid-stream', async () => {
    const libraryPage = await browser.newPage();
    try {
      await libraryPage.goto(`${client.url}/library.html`);
      const id = await libraryPage.locator('#identity').filter({ hasText: /^[0-9a-f-]{36}$/ }).innerText();
      await libraryPage.waitForFunction(() => (document.getElementById('teleprinter')?.textContent ?? '').length >= 12);
      // The TCP connection ends with no close frame, mid-text: the library reconnects, resumes and sends teleprinter again.
      expect(await demoControls(project.sandbox).run('cut', id)).toBe(1);
      await libraryPage.locator('#drops', { hasText: '1 drop' }).waitFor();
      const atCut = (await libraryPage.locator('#teleprinter').innerText()).length;
      expect(atCut).toBeLessThan(TEXT.length - 10);
      await libraryPage.waitForFunction((n) => (document.getElementById('teleprinter')?.textContent ?? '').length >= n, TEXT.length);
      await libraryPage.locator('#status[data-state="open"]').waitFor();
      await libraryPage.waitForTimeout(200);
      expect(await libraryPage.locator('#teleprinter').textContent()).toBe(TEXT);
    } finally {
      await libraryPage.close();
    }
  });
});
