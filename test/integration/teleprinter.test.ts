import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { fingerprint } from '../../functions/lib/log';
import { DIST } from '../../sandbox/project';
import { seededRandom } from '../../sandbox/sqs/queue';
import { eventually, sleep } from '../helpers/clients';
import { allItems } from '../helpers/dynamo';
import { startTestProject } from '../helpers/project-sandbox';

// ~200 characters, public domain (Morse 1844, Bell 1876, the typists' pangram), and one character
// outside the BMP: a frame is one Unicode code point, never half a surrogate pair.
const TEXT =
  'WHAT HATH GOD WROUGHT. Mr. Watson, come here, I want to see you. ' +
  'The quick brown fox jumps over the lazy dog 0123456789. ' +
  'Now is the time for all good men to come to the aid of the party. \u{1F4E0} END';
const CHARACTERS = Array.from(TEXT);
const INTERVAL_MS = 8;
const SEED = Number(process.env.TELEPRINTER_SEED ?? 0x7e1e9);


interface Printout {
  ws: WebSocket;
  /** Every frame received, in order. */
  frames: string[];
  closed: Promise<void>;
}

/**
 * A client written like the sample's: its id as its only subprotocol, `{"action":"teleprinter"}` once
 * open, every frame appended. `cutAfter(frames)` closes it (as its Disconnect button does) once true;
 * frames still arriving before the close completes are kept, as they reached the client.
 */
function teleprinter(url: string, id: string, cutAfter: (frames: string[]) => boolean = () => false): Promise<Printout> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, id);
    const frames: string[] = [];
    const closed = new Promise<void>((done) => ws.on('close', () => done()));
    ws.on('error', reject);
    ws.on('open', () => {
      ws.send(JSON.stringify({ action: 'teleprinter' }));
      resolve({ ws, frames, closed });
    });
    ws.on('message', (data) => {
      frames.push(data.toString());
      if (ws.readyState === WebSocket.OPEN && cutAfter(frames)) ws.close(1000);
    });
  });
}

const sessionsOf = async (tableName: string, userId: string) =>
  (await allItems(tableName))
    .filter((item) => item.type === 'session' && item.userId === userId)
    .map((item) => ({ sessionId: item.sessionId as string, state: item.state === undefined ? null : (JSON.parse(item.state as string) as unknown) }));

describe('examples/anonymous-resume: the teleprinter, resumed by anonymous id', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  const zip = path.join(DIST, 'teleprinter.zip');

  beforeAll(async () => {
    if (!existsSync(zip)) throw new Error(`${zip} is missing: run npm run build`);
    project = await startTestProject({
      extraRoutes: { teleprinter: { source: { zip }, env: { TELEPRINTER_INTERVAL_MS: String(INTERVAL_MS), TELEPRINTER_TEXT: TEXT } } },
    });
  });
  afterAll(() => project?.sandbox.stop());
  /** The teleprinter's log line of each request by this id (the id itself is logged only as a fingerprint). */
  const outcomes = (id: string) => project.logs.records('teleprinter').filter((record) => record.event === 'teleprinter' && record.user === fingerprint(id));

  it('echoes the id, and a client cut at random points and reconnected each time with the same id receives the text exactly once', async () => {
    const random = seededRandom(SEED);
    const id = randomUUID();
    // Six cut points, increasing, at least 4 characters apart, none within the last 30 characters
    // (a cut the stream outruns would end it, and the next connection would rightly start over).
    const cuts: number[] = [];
    while (cuts.length < 6) {
      const at = 3 + Math.floor(random() * (CHARACTERS.length - 33));
      if (cuts.every((cut) => Math.abs(cut - at) >= 4)) cuts.push(at);
    }
    cuts.sort((a, b) => a - b);

    let received: string[] = [];
    for (const cut of cuts) {
      const client = await teleprinter(project.sandbox.url, id, (frames) => received.length + frames.length >= cut);
      expect(client.ws.protocol).toBe(id);
      await client.closed;
      expect(client.frames.length).toBeGreaterThan(0);
      received = received.concat(client.frames);
    }
    // The last connection: runs to the end, and nothing follows the last character.
    const last = await teleprinter(project.sandbox.url, id);
    await eventually(() => (received.length + last.frames.length >= CHARACTERS.length ? true : undefined), 10_000, 'the rest of the text');
    await sleep(20 * INTERVAL_MS);
    last.ws.close(1000);
    await last.closed;
    received = received.concat(last.frames);

    expect({ seed: SEED, cuts, frames: received.filter((frame) => Array.from(frame).length !== 1) }).toEqual({ seed: SEED, cuts, frames: [] });
    expect({ seed: SEED, cuts, text: received.join('') }).toEqual({ seed: SEED, cuts, text: TEXT });

    // One session carried the cursor through every connection; the whole text sent, it is back to 0.
    const sessions = await eventually(async () => {
      const found = await sessionsOf(project.tableName, id);
      return found.length === 1 && (found[0]!.state as { streaming?: string }).streaming === undefined ? found : undefined;
    });
    expect(sessions[0]!.state).toEqual({ cursor: 0 });
    const results = await eventually(() => {
      const found = outcomes(id);
      return found.length === cuts.length + 1 ? found : undefined;
    });
    expect(results.map((record) => record.result)).toEqual([...cuts.map(() => 'gone'), 'finished']);
    expect(results.every((record) => record.sessionId === sessions[0]!.sessionId && record.saved === true)).toBe(true);

    // Finished: the next request prints the text from the beginning again.
    const again = await teleprinter(project.sandbox.url, id, (frames) => frames.length >= 12);
    await again.closed;
    expect(again.frames.join('').startsWith(CHARACTERS.slice(0, 12).join(''))).toBe(true);
  });

  it('a client with a new id (Reset Identity) starts from the beginning and leaves the other id where it was', async () => {
    const id = randomUUID();
    const first = await teleprinter(project.sandbox.url, id, (frames) => frames.length >= 40);
    await first.closed;
    expect(first.frames.join('')).toBe(CHARACTERS.slice(0, first.frames.length).join(''));
    await eventually(async () => ((await sessionsOf(project.tableName, id))[0]?.state as { cursor?: number } | undefined)?.cursor === first.frames.length || undefined);

    const other = randomUUID();
    const fresh = await teleprinter(project.sandbox.url, other, (frames) => frames.length >= 15);
    expect(fresh.ws.protocol).toBe(other);
    await fresh.closed;
    expect(fresh.frames.join('')).toBe(CHARACTERS.slice(0, fresh.frames.length).join(''));

    const back = await teleprinter(project.sandbox.url, id, (frames) => frames.length >= 10);
    await back.closed;
    expect(back.frames.join('')).toBe(CHARACTERS.slice(first.frames.length, first.frames.length + back.frames.length).join(''));
  });

  it('a second request on a connection that is already printing is ignored: the text is not interleaved', async () => {
    const id = randomUUID();
    const client = await teleprinter(project.sandbox.url, id);
    client.ws.send(JSON.stringify({ action: 'teleprinter' }));
    await eventually(() => (client.frames.length >= CHARACTERS.length ? true : undefined), 10_000, 'the whole text');
    await sleep(20 * INTERVAL_MS);
    client.ws.close(1000);
    await client.closed;
    expect(client.frames.join('')).toBe(TEXT);
    const results = await eventually(() => (outcomes(id).length === 2 ? outcomes(id) : undefined));
    expect(results.map((record) => record.result).sort()).toEqual(['duplicate', 'finished']);
  });
});

describe('examples/anonymous-resume: a reconnect that outruns the previous stream', () => {
  // Slow enough that the new connection asks before the previous stream's next post finds its
  // connection gone: the new stream must wait for that one to save its cursor, not start from the
  // cursor saved before it.
  const SLOW_MS = 300;
  const SHORT = 'RYRYRYRYRY 0123456789';
  let project: Awaited<ReturnType<typeof startTestProject>>;

  beforeAll(async () => {
    project = await startTestProject({
      extraRoutes: { teleprinter: { source: { zip: path.join(DIST, 'teleprinter.zip') }, env: { TELEPRINTER_INTERVAL_MS: String(SLOW_MS), TELEPRINTER_TEXT: SHORT } } },
    });
  });
  afterAll(() => project?.sandbox.stop());

  it('the new stream waits for the previous one to save its cursor and carries on from there', async () => {
    const id = randomUUID();
    const first = await teleprinter(project.sandbox.url, id, (frames) => frames.length >= 4);
    await first.closed;
    const second = await teleprinter(project.sandbox.url, id);
    await eventually(() => (first.frames.length + second.frames.length >= SHORT.length ? true : undefined), 15_000, 'the rest of the text');
    await sleep(2 * SLOW_MS);
    second.ws.close(1000);
    await second.closed;
    expect(first.frames.join('') + second.frames.join('')).toBe(SHORT);
    const results = await eventually(() => {
      const found = project.logs.records('teleprinter').filter((record) => record.event === 'teleprinter' && record.user === fingerprint(id));
      return found.length === 2 ? found : undefined;
    });
    expect(results.map((record) => [record.result, record.from, record.to])).toEqual([
      ['gone', 0, first.frames.length],
      ['finished', first.frames.length, SHORT.length],
    ]);
  });
});
