import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';

const FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/demo.js': 'demo.js',
};
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/**
 * Serves the demo page (or, with `dir` and `files`, another page: its folder and URL path → file name)
 * and a `config.json` telling it where the WebSocket API is.
 */
export async function startDemoServer({
  port,
  host = '127.0.0.1',
  websocketUrl,
  dir = path.join(__dirname, 'demo'),
  files = FILES,
}: {
  port: number;
  host?: string;
  websocketUrl: string;
  dir?: string;
  files?: Record<string, string>;
}): Promise<{
  url: string;
  server: Server;
  stop(): Promise<void>;
}> {
  const server = createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://demo').pathname;
    if (pathname === '/config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      return void res.end(JSON.stringify({ url: websocketUrl }));
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
