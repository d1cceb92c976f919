import { request } from 'node:http';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import WebSocket from 'ws';

export interface TestClient {
  ws: WebSocket;
  /** The next frame, parsed as JSON when it is JSON. */
  next(timeoutMs?: number): Promise<unknown>;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
}

export interface ConnectOptions {
  protocols?: string | string[];
  headers?: Record<string, string>;
  origin?: string;
  query?: string;
}

/** Opens a real `ws` connection; resolves once open, rejects with the handshake's HTTP status. */
export function connect(url: string, options: ConnectOptions = {}): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url + (options.query ? `?${options.query}` : ''), options.protocols ?? [], {
      headers: options.headers,
      origin: options.origin,
      perMessageDeflate: false,
    });
    const queue: unknown[] = [];
    const waiters: Array<(frame: unknown) => void> = [];
    ws.on('message', (data) => {
      const text = data.toString();
      let frame: unknown = text;
      try {
        frame = JSON.parse(text);
      } catch {
        // plain text frame
      }
      const waiter = waiters.shift();
      if (waiter) waiter(frame);
      else queue.push(frame);
    });
    const closed = new Promise<{ code: number; reason: string }>((done) => ws.on('close', (code, reason) => done({ code, reason: reason.toString() })));
    ws.on('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`handshake answered ${res.statusCode}`), { status: res.statusCode }));
      res.resume();
    });
    ws.on('error', (error) => reject(error));
    ws.on('open', () =>
      resolve({
        ws,
        closed,
        send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
        next: (timeoutMs = 5_000) =>
          queue.length > 0
            ? Promise.resolve(queue.shift())
            : new Promise((done, fail) => {
                const waiter = (frame: unknown) => {
                  clearTimeout(timer);
                  done(frame);
                };
                const timer = setTimeout(() => {
                  waiters.splice(waiters.indexOf(waiter), 1);
                  fail(new Error(`no frame within ${timeoutMs} ms`));
                }, timeoutMs);
                waiters.push(waiter);
              }),
      }),
    );
  });
}

/** The HTTP status a handshake is answered with (101 on success). */
export async function handshakeStatus(url: string, options: ConnectOptions = {}): Promise<number> {
  try {
    const client = await connect(url, options);
    client.ws.close();
    return 101;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === undefined) throw error;
    return status;
  }
}

/** A raw HTTP request, for what the SDK hides (header names, camelCase bodies, encodings). */
export function rawRequest(
  url: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A signed-looking Authorization header: the sandbox checks its presence and scheme, not the signature. */
export const SIGNED = { Authorization: 'AWS4-HMAC-SHA256 Credential=sandbox/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00' };

/** The real SDK client pointed at a sandbox's Management API. */
export const managementClient = (endpoint: string): ApiGatewayManagementApiClient =>
  new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    maxAttempts: 1,
  });

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Every frame a client was sent, read until none comes for `quietMs`: call it once the fan-out queue
 * is drained (every frame posted).
 */
export async function framesSent<T = unknown>(client: TestClient, quietMs = 500): Promise<T[]> {
  const frames: T[] = [];
  for (;;) {
    try {
      frames.push((await client.next(quietMs)) as T);
    } catch {
      return frames;
    }
  }
}
