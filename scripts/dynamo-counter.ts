import { createServer, request, type Server } from 'node:http';

/** Operations DynamoDB bills in read request units; every other operation is billed in write units. */
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

/** Request units as DynamoDB bills them, counted from DynamoDB Local's ConsumedCapacity. */
export interface RequestUnits {
  read: number;
  write: number;
}

/**
 * An HTTP proxy to DynamoDB Local that counts requests by operation (the X-Amz-Target header) and the
 * request units they consume: it asks each request for `ReturnConsumedCapacity: TOTAL` (DynamoDB Local
 * computes it by item size, as DynamoDB does) and reads the answer's ConsumedCapacity, counting each
 * transactional unit twice as DynamoDB bills it (DynamoDB Local does not). A request that fails its
 * condition consumes a unit (two in a transaction) without reporting it. The answer reaches the caller
 * unchanged (its CRC32 stays valid).
 */
export function countingProxy(target: string): Promise<{ endpoint: string; counts: Map<string, number>; units: RequestUnits; server: Server }> {
  const counts = new Map<string, number>();
  const units: RequestUnits = { read: 0, write: 0 };
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? 'unknown').split('.').pop()!;
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      try {
        const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        if (input.ReturnConsumedCapacity === undefined) body = Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
      } catch {
        // Not JSON: forwarded as it is, for DynamoDB Local to refuse.
      }
      const factor = operation.startsWith('Transact') ? 2 : 1;
      const kind = READS.has(operation) ? 'read' : 'write';
      const forward = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, 'content-length': String(body.length) } },
        (response) => {
          res.writeHead(response.statusCode ?? 502, response.headers);
          const answer: Buffer[] = [];
          response.on('data', (chunk: Buffer) => answer.push(chunk));
          response.on('end', () => {
            units[kind] += factor * consumed(Buffer.concat(answer).toString('utf8'), response.statusCode ?? 0);
          });
          response.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, counts, units, server })),
  );
}

/** The units an answer reports (a failed condition: one, as DynamoDB bills it; other errors: none). */
function consumed(text: string, status: number): number {
  try {
    const answer = JSON.parse(text) as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }>; __type?: string };
    if (status !== 200) return /ConditionalCheckFailed|TransactionCanceled/.test(answer.__type ?? '') ? 1 : 0;
    const capacity = answer.ConsumedCapacity;
    if (Array.isArray(capacity)) return capacity.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
    return capacity?.CapacityUnits ?? 0;
  } catch {
    return 0;
  }
}

export const total = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);
export const describe = (counts: Map<string, number>): string => [...counts.entries()].map(([op, n]) => `${op} ${n}`).join(', ') || 'none';
