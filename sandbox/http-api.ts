import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatRequestTime, newId } from './events';
import type { LocalFunction } from './lambda';

/** HTTP API's fixed limits: the request payload and the integration timeout (30 s at most). */
export const HTTP_API_LIMITS = { maxBodyBytes: 10 * 1024 * 1024, integrationTimeoutMs: 30_000 };

export interface HttpApiOptions {
  /** Route key (`POST /auth/login`) → the function behind it (a Lambda proxy integration, payload format 2.0). */
  routes: Record<string, LocalFunction>;
  apiId?: string;
  region?: string;
  accountId?: string;
  integrationTimeoutMs?: number;
  onAccessLog?: (entry: Record<string, unknown>) => void;
}

export interface HttpApi {
  /** Whether a request path is this API's: it shares a first segment (`/auth/…`) with one of its routes. */
  handles(pathname: string): boolean;
  /** Answers one request as API Gateway's HTTP API would. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/[A-Za-z0-9._~/-]*)$/;
// Bodies of these types reach the function as text; others base64, with isBase64Encoded.
const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+(json|xml))/i;

/** API Gateway's own answers: a JSON `message`, as HTTP APIs send them. */
function reply(res: ServerResponse, status: number, message: string, requestId: string): void {
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'apigw-requestid': requestId });
  res.end(body);
}

class TooLargeError extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The payload format 2.0 event: header names lower-cased and repeats joined with commas, the `Cookie`
 * header moved to `cookies` (one `name=value` each), query parameters likewise joined, no
 * `multiValue…` maps (test/fixtures/events/http-api-v2.json is a recorded one).
 */
export function httpEvent({
  routeKey,
  req,
  url,
  body,
  facts,
  now,
}: {
  routeKey: string;
  req: Pick<IncomingMessage, 'method' | 'rawHeaders' | 'httpVersion' | 'socket'>;
  url: URL;
  body: Buffer;
  facts: { apiId: string; region: string; accountId: string; domainName: string };
  now: number;
}): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') cookies.push(...value.split(';').map((pair) => pair.trim()).filter((pair) => pair !== ''));
    else headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const requestId = newId();
  const text = body.length > 0 && TEXT_TYPES.test(headers['content-type'] ?? '');
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: facts.accountId,
      apiId: facts.apiId,
      domainName: facts.domainName,
      domainPrefix: facts.domainName.split('.')[0],
      http: { method: req.method, path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId,
      routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now,
    },
    ...(body.length > 0 ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

/**
 * A function's answer as HTTP API maps it (payload format 2.0): an object with `statusCode` gives the
 * status, `headers`, `cookies` (each a `Set-Cookie` header) and `body` (decoded when
 * `isBase64Encoded`); any other value is a 200 whose JSON body is that value (a string as it is).
 * Undefined for an answer API Gateway cannot map (a 500).
 */
export function httpResponse(result: unknown): { status: number; headers: Array<[string, string]>; body: Buffer } | undefined {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body) };
  }
  const { statusCode, headers = {}, cookies = [], body = '', isBase64Encoded = false } = result as Record<string, unknown>;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  if (typeof headers !== 'object' || headers === null || !Array.isArray(cookies) || typeof body !== 'string') return undefined;
  const pairs: Array<[string, string]> = Object.entries(headers as Record<string, unknown>).map(([name, value]) => [name, String(value)]);
  for (const cookie of cookies) pairs.push(['set-cookie', String(cookie)]);
  return { status: statusCode, headers: pairs, body: Buffer.from(body, isBase64Encoded === true ? 'base64' : 'utf8') };
}

/**
 * An API Gateway HTTP API (routes with Lambda proxy integrations, payload format 2.0) served from an
 * existing HTTP server, so a page and its API share one origin, as a CloudFront distribution or a
 * custom domain puts them. A path of the API with no route for its method and path is a 404
 * `{"message":"Not Found"}`, as HTTP API answers it (it has no 405); a failed or unmappable function
 * answer a 500, a timeout a 503, a body over 10 MB a 413.
 *
 * @example
 * const api = createHttpApi({ routes: { 'POST /auth/login': loginFunction } });
 * createServer((req, res) => (api.handles(new URL(req.url!, 'http://x').pathname) ? api.serve(req, res) : page(req, res)));
 */
export function createHttpApi(options: HttpApiOptions): HttpApi {
  const routes = new Map<string, LocalFunction>();
  for (const [key, fn] of Object.entries(options.routes)) {
    if (!ROUTE_KEY.test(key)) throw new Error(`HTTP API route key ${JSON.stringify(key)} must be "<METHOD> /<path>", e.g. "POST /auth/login"`);
    routes.set(key, fn);
  }
  const prefixes = new Set([...routes.keys()].map((key) => `/${key.split(' ')[1]!.split('/')[1]}`));
  const facts = { apiId: options.apiId ?? 'sandboxhttp', region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
  const timeoutMs = options.integrationTimeoutMs ?? HTTP_API_LIMITS.integrationTimeoutMs;

  return {
    handles: (pathname) => [...prefixes].some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`)),
    async serve(req, res) {
      const started = Date.now();
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      const routeKey = `${req.method} ${url.pathname}`;
      const fn = routes.get(routeKey);
      let status = 404;
      let requestId = newId();
      try {
        if (!fn) return reply(res, 404, 'Not Found', requestId);
        let body: Buffer;
        try {
          body = await readBody(req, HTTP_API_LIMITS.maxBodyBytes);
        } catch (error) {
          if (!(error instanceof TooLargeError)) throw error;
          status = 413;
          return reply(res, 413, 'Request Entity Too Large', requestId);
        }
        const event = httpEvent({ routeKey, req, url, body, facts: { ...facts, domainName: url.host }, now: started });
        requestId = (event.requestContext as { requestId: string }).requestId;
        const outcome = await fn.invoke(event, timeoutMs);
        const mapped = outcome.status === 'ok' ? httpResponse(outcome.result) : undefined;
        if (!mapped) {
          status = outcome.status === 'timeout' ? 503 : 500;
          return reply(res, status, outcome.status === 'timeout' ? 'Service Unavailable' : 'Internal Server Error', requestId);
        }
        status = mapped.status;
        res.statusCode = status;
        for (const [name, value] of mapped.headers) res.appendHeader(name, value);
        res.setHeader('content-length', mapped.body.length);
        res.setHeader('apigw-requestid', requestId);
        res.end(mapped.body);
      } finally {
        options.onAccessLog?.({ api: 'http', requestId, routeKey: fn ? routeKey : '-', method: req.method, path: url.pathname, status, latencyMs: Date.now() - started });
      }
    },
  };
}
