/**
 * The parts of an API Gateway HTTP API (payload v2.0) or Lambda function URL event that carry cookies.
 * Both put the request's cookies in `cookies` (one `name=value` each); a `cookie` header is read only
 * when `cookies` is absent (a hand-built event, a proxy that did not split them).
 */
export interface CookieCarrier {
  cookies?: readonly string[] | null;
  headers?: Readonly<Record<string, string | undefined>> | null;
}

/**
 * The values a request carries under `name` (matched exactly): none, one, or several (which the caller
 * must refuse as ambiguous).
 *
 * @example
 * cookieValues({ cookies: ['theme=dark', '__Host-session=AQJr…'] }, '__Host-session'); // ['AQJr…']
 * cookieValues({ headers: { cookie: 'a=1; a=2' } }, 'a'); // ['1', '2']
 */
export function cookieValues(event: CookieCarrier | null | undefined, name: string): string[] {
  const pairs = Array.isArray(event?.cookies) ? event.cookies : headerPairs(event?.headers);
  const values: string[] = [];
  for (const pair of pairs) {
    if (typeof pair !== 'string') continue;
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    // Names are compared exactly (RFC 6265 §5.4 keeps their case); blanks around a pair are not part of it.
    if (pair.slice(0, equals).trim() === name) values.push(pair.slice(equals + 1).trim());
  }
  return values;
}

function headerPairs(headers: CookieCarrier['headers']): string[] {
  if (typeof headers !== 'object' || headers === null) return [];
  // Payload v2.0 lower-cases header names; a hand-built event may not, and may carry several spellings.
  return Object.entries(headers)
    .filter(([key, value]) => key.toLowerCase() === 'cookie' && typeof value === 'string')
    .flatMap(([, value]) => value!.split(';'));
}
