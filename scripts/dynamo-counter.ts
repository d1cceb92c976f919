import { createServer, request, type Server } from 'node:http';

/** An HTTP proxy to DynamoDB Local that counts requests by operation (the X-Amz-Target header). */
export function countingProxy(target: string): Promise<{ endpoint: string; counts: Map<string, number>; server: Server }> {
  const counts = new Map<string, number>();
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? 'unknown').split('.').pop()!;
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, counts, server })));
}

export const total = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);
export const describe = (counts: Map<string, number>): string => [...counts.entries()].map(([op, n]) => `${op} ${n}`).join(', ') || 'none';

