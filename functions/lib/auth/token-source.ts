import { getHeader, getHeaderValues, offeredProtocols } from '../protocol/headers';

/** The application subprotocol; in JWT mode it is the one `$connect` echoes. */
export const APP_PROTOCOL = 'ws-sessions.v1';
/** A token offered as a subprotocol travels as `bearer.<jwt>` (a JWT is a valid subprotocol token). */
export const BEARER_PREFIX = 'bearer.';

export const TOKEN_SOURCES = ['subprotocol', 'cookie', 'query'] as const;
export type TokenSource = (typeof TOKEN_SOURCES)[number];

export interface TokenSourceSettings {
  sources: TokenSource[];
  cookieName: string;
  queryParameter: string;
}

export type TokenResult =
  | { ok: true; token: string; source: TokenSource }
  | { ok: false; reason: 'app_protocol_missing' | 'token_missing' | 'multiple_tokens' };

type RequestLike = Parameters<typeof getHeader>[0] & {
  queryStringParameters?: Record<string, string | undefined> | null;
  multiValueQueryStringParameters?: Record<string, string[] | undefined> | null;
};

/** Every cookie of that name, in every `Cookie` header (a client may send several). */
function cookieValues(headers: string[], name: string): string[] {
  return headers.flatMap((header) =>
    header
      .split(';')
      .map((pair) => pair.trim())
      .filter((pair) => pair.startsWith(`${name}=`))
      .map((pair) => pair.slice(name.length + 1)),
  );
}

function tokensIn(source: TokenSource, event: RequestLike, offered: string[], settings: TokenSourceSettings): string[] {
  switch (source) {
    case 'subprotocol':
      return offered.filter((protocol) => protocol.startsWith(BEARER_PREFIX)).map((protocol) => protocol.slice(BEARER_PREFIX.length));
    case 'cookie':
      return cookieValues(getHeaderValues(event, 'Cookie'), settings.cookieName);
    case 'query': {
      // `queryStringParameters` keeps only the last of a repeated parameter; the multi-value map has them all.
      const values = event.multiValueQueryStringParameters?.[settings.queryParameter];
      if (values && values.length > 0) return values;
      const value = event.queryStringParameters?.[settings.queryParameter];
      return value === undefined || value === null ? [] : [value];
    }
  }
}

/**
 * Finds the client's one token in the enabled sources (subprotocol, cookie, query string). The app
 * protocol must be offered whatever the source (it is what `$connect` echoes, and API Gateway requires
 * the `Sec-WebSocket-Protocol` identity source). Two tokens are ambiguous and refused, whether in one
 * source (two `bearer.` subprotocols, two cookies of the name, a repeated parameter) or in two (a
 * subprotocol and a cookie): no order decides which one counts. Sources not enabled are not read.
 *
 * @example
 * readToken(event, { sources: ['subprotocol'], cookieName: 'ws_token', queryParameter: 'token' });
 */
export function readToken(event: RequestLike, settings: TokenSourceSettings): TokenResult {
  const offered = offeredProtocols(getHeader(event, 'Sec-WebSocket-Protocol'));
  if (!offered.includes(APP_PROTOCOL)) return { ok: false, reason: 'app_protocol_missing' };
  const found = TOKEN_SOURCES.filter((source) => settings.sources.includes(source)).flatMap((source) =>
    tokensIn(source, event, offered, settings).map((token) => ({ token, source })),
  );
  if (found.length > 1) return { ok: false, reason: 'multiple_tokens' };
  const [only] = found;
  if (only === undefined || only.token === '') return { ok: false, reason: 'token_missing' };
  return { ok: true, token: only.token, source: only.source };
}
