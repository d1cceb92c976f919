import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import path from 'node:path';
import { bundleForBrowsers } from '../scripts/client-bundle';
import { DEMO_CONTROLS, type DemoControl, type DemoControls } from './demo-controls';
import type { HttpApi } from './http-api';

const FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/demo.js': 'demo.js',
};
/** The client library (packages/client) as the demo page imports it: bundled by esbuild when the server starts, never written to disk. */
export const CLIENT_BUNDLE = { '/client.js': async () => (await bundleForBrowsers()).code };
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
/** The user whose connections a button acts on: an anonymous id, or a signed-in user's id (1–256 characters, no control characters). */
const isUserId = (id: unknown): id is string => typeof id === 'string' && id.length >= 1 && id.length <= 256 && ![...id].some((char) => char.charCodeAt(0) < 0x20 || char === '\u007f');

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 4096) throw new Error('body too large');
  }
  return JSON.parse(text);
}

/**
 * Serves the demo page (or, with `dir` and `files`, another page: its folder and URL path → file name)
 * and a `config.json` telling it where the WebSocket API is. `generated` adds URL paths whose
 * JavaScript is made once at start (the demo page's: the client library's bundle); `controls` answers
 * `POST /sandbox/<drop|cut|goaway>` with `{"id":<anonymous or user id>}` (the demo page's buttons). With
 * `httpApi` (the login example's routes, `/auth/…`) the page's own origin serves it too, so its session
 * cookie is the page's; the page then signs in, and with `auth: 'cookie'` connects only once signed in,
 * the cookie going with the WebSocket handshake (a cookie's host has no port).
 */
export async function startDemoServer({
  port,
  host = '127.0.0.1',
  websocketUrl,
  dir = path.join(__dirname, 'demo'),
  files = FILES,
  generated = files === FILES ? CLIENT_BUNDLE : {},
  controls,
  httpApi,
  auth = 'anonymous',
}: {
  port: number;
  host?: string;
  websocketUrl: string;
  dir?: string;
  files?: Record<string, string>;
  generated?: Record<string, () => Promise<string>>;
  controls?: DemoControls;
  httpApi?: HttpApi;
  /** How the page connects: its anonymous id, or (after signing in) the session cookie alone. */
  auth?: 'anonymous' | 'cookie';
}): Promise<{
  url: string;
  server: Server;
  stop(): Promise<void>;
}> {
  const made = new Map(await Promise.all(Object.entries(generated).map(async ([name, make]) => [name, await make()] as const)));
  const server = createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://demo').pathname;
    if (httpApi?.handles(pathname)) return void (await httpApi.serve(req, res));
    if (pathname === '/config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      return void res.end(JSON.stringify({ url: websocketUrl, controls: controls ? DEMO_CONTROLS : [], signIn: httpApi !== undefined, auth }));
    }
    const control = /^\/sandbox\/([a-z]+)$/.exec(pathname)?.[1] as DemoControl | undefined;
    if (control && controls && DEMO_CONTROLS.includes(control) && req.method === 'POST') {
      const body = await readJson(req).catch(() => undefined);
      const id = (body as { id?: unknown } | undefined)?.id;
      if (!isUserId(id)) {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        return void res.end(JSON.stringify({ message: 'the body must be {"id":<the anonymous id or the signed-in user id, 1–256 characters, no control characters>}' }));
      }
      const connections = await controls.run(control, id).catch(() => -1);
      res.writeHead(connections < 0 ? 502 : 200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ connections }));
    }
    const code = made.get(pathname);
    if (code !== undefined) {
      res.writeHead(200, { 'Content-Type': TYPES['.js'], 'Cache-Control': 'no-store' });
      return void res.end(code);
    }
    const file = files[pathname];
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return void res.end('not found');
    }
    const body = await readFile(path.join(dir, file));
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as { port: number }).port;
  return {
    url: `http://${host}:${bound}`,
    server,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
