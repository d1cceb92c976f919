import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { DeviceInfo } from '../../../packages/sessions/src/types';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** An HTTP API's answer: JSON, never cached, with any `Set-Cookie` values as payload v2.0's `cookies`. */
export function json(statusCode: number, body: unknown, cookies: string[] = [], headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
    ...(cookies.length > 0 ? { cookies } : {}),
  };
}

/** A request the function refuses as the caller's mistake (400), naming what is wrong. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

/** The largest body a route reads, in bytes: a login is a few hundred. */
export const MAX_BODY_BYTES = 4096;

/**
 * The request's JSON object body (base64 when API Gateway says so). Anything else is a
 * `BadRequestError`: no body, too large, not JSON, not an object.
 */
export function jsonBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): Record<string, unknown> {
  if (event.body === undefined || event.body === null || event.body === '') throw new BadRequestError('the body must be a JSON object');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new BadRequestError(`the body must be at most ${MAX_BODY_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestError('the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestError('the body must be a JSON object');
  return value as Record<string, unknown>;
}

const BROWSERS: Array<[RegExp, string]> = [
  [/Edg\/(\d+)/, 'Edge'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/Chrom(?:e|ium)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+).* Safari\//, 'Safari'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/Android/, 'Android'],
  [/iPhone|iPad/, 'iOS'],
  [/Mac OS X/, 'macOS'],
  [/Windows/, 'Windows'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/**
 * The device a request comes from, as the devices list shows it: browser and OS named from the
 * User-Agent (coarsely: enough for a person to recognise a device), the source IP. A header the
 * names do not fit is left out, never stored raw.
 *
 * @example
 * deviceOf(event); // { browser: 'Firefox 133', os: 'Linux', ip: '203.0.113.7' }
 */
export function deviceOf(event: Pick<APIGatewayProxyEventV2, 'headers' | 'requestContext'>): DeviceInfo {
  const agent = event.headers?.['user-agent'] ?? '';
  const browser = BROWSERS.map(([pattern, name]) => [pattern.exec(agent), name] as const).find(([match]) => match);
  const os = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  return {
    ...(browser ? { browser: `${browser[1]} ${browser[0]![1]}` } : {}),
    ...(os ? { os } : {}),
    ip: event.requestContext.http.sourceIp,
  };
}
