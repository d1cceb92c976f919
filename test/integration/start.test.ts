/**
 * `npm start` as a person runs it: a child process in a process group of its own, stopped by a SIGINT
 * to the whole group (what a terminal's Ctrl-C sends), its output read as a person reads it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { freePort } from '../../sandbox/dynamo-local';
import { documentedPassword } from '../helpers/login-example';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = require.resolve('tsx/cli');

interface Launched {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function launch(env: Record<string, string>): Launched {
  const child = spawn(process.execPath, [TSX, 'scripts/start.ts'], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(what: string, test: () => boolean, timeoutMs: number, launched: Launched): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what} not seen within ${timeoutMs} ms; output:\n${launched.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A connection as the signed-in page makes it: the app protocol alone, the session cookie in the handshake. */
function open(url: string, { origin, cookie }: { origin: string; cookie: string }): Promise<{ ws: WebSocket; frames: unknown[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'ws-sessions.v1', { origin, headers: { cookie } });
    const frames: unknown[] = [];
    ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString())));
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('npm start (scripts/start.ts) as a person runs it', () => {
  it('takes ports, origins and session settings from the environment, signs in on the demo page’s origin, and Ctrl-C runs every $disconnect before DynamoDB Local stops', async () => {
    const port = await freePort();
    const demoPort = await freePort();
    const launched = launch({ PORT: String(port), DEMO_PORT: String(demoPort), ALLOWED_ORIGINS: 'https://third-party.example', SESSION_HEARTBEAT_SECONDS: '30' });
    try {
      await waitFor('the banner', () => launched.output().includes('Ctrl-C to stop'), 90_000, launched);
      expect(launched.output()).toMatch(/SESSION_HEARTBEAT_SECONDS\s+30 \(set\)\s+on AWS: session\.heartbeat_seconds/);
      const url = `ws://127.0.0.1:${port}/dev`;
      // Signed in through the login example's HTTP API on the demo page's origin (its README's demo account).
      const page = `http://127.0.0.1:${demoPort}`;
      const signIn = await fetch(`${page}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@example.com', password: documentedPassword('ada@example.com') }) });
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers.getSetCookie().map((value) => value.split(';')[0]).join('; ');
      // The page and one on the extra origin connect with the cookie; one on another origin gets 403.
      const clients = await Promise.all([open(url, { origin: 'https://third-party.example', cookie }), open(url, { origin: page, cookie }), open(url, { origin: page, cookie })]);
      await expect(open(url, { origin: 'https://elsewhere.example', cookie })).rejects.toThrow('HTTP 403');
      for (const { ws } of clients) ws.send(JSON.stringify({ action: 'hello' }));
      await waitFor('three welcomes', () => clients.every(({ frames }) => frames.length > 0), 20_000, launched);
      // The session setting reached the message function as the module's variable would.
      expect(clients.map(({ frames }) => (frames[0] as { heartbeatSeconds?: number }).heartbeatSeconds)).toEqual([30, 30, 30]);

      process.kill(-launched.child.pid!, 'SIGINT');
      expect(await launched.exited).toBe(0);
      const output = launched.output();
      // Each connection's $disconnect ran to the end: its session detached and its purge scheduled.
      expect(output.match(/ disconnect +info +disconnect /g)).toHaveLength(3);
      expect(output).not.toMatch(/internal_error|ECONNREFUSED/);
    } finally {
      if (launched.child.exitCode === null) process.kill(-launched.child.pid!, 'SIGKILL');
    }
  }, 150_000);

  it('reports a port in use, naming the setting that moves it, before building or starting Java', async () => {
    const taken: Server = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    try {
      const launched = launch({ PORT: String(port), DEMO_PORT: String(await freePort()) });
      expect(await launched.exited).toBe(1);
      expect(launched.output()).toContain(`port ${port} (PORT) is in use: stop what holds it, or choose another, e.g. PORT=${port + 100} npm start`);
      expect(launched.output()).not.toMatch(/DynamoDB|building/);
    } finally {
      taken.close();
    }
  }, 60_000);

  it.each([
    ['an origin with a path', { ALLOWED_ORIGINS: 'https://app.example.com/page' }, /ALLOWED_ORIGINS: "https:\/\/app\.example\.com\/page" is not an origin/],
    ['a session setting out of its bounds', { SESSION_HEARTBEAT_SECONDS: '5' }, /SESSION_HEARTBEAT_SECONDS must be an integer from 10 to 540, got "5"/],
    ['an unknown log format', { LOG_FORMAT: 'xml' }, /LOG_FORMAT must be text .* or json/],
  ])('refuses %s with a clear error and starts nothing', async (_what, env, message) => {
    const launched = launch({ PORT: String(await freePort()), DEMO_PORT: String(await freePort()), ...env });
    expect(await launched.exited).toBe(1);
    expect(launched.output()).toMatch(message);
    expect(launched.output()).not.toContain('DynamoDB Local');
  }, 60_000);
});
