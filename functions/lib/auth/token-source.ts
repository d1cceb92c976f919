import { getHeader, offeredProtocols } from '../headers';

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

type RequestLike = Parameters<typeof getHeader>[0] & { queryStringParameters?: Record<string, string | undefined> | null };

function cookieValue(header: string | undefined, name: string): string[] {
  if (!header) return [];
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
}

function tokensIn(source: TokenSource, event: RequestLike, offered: string[], settings: TokenSourceSettings): string[] {
  switch (source) {
    case 'subprotocol':
      return offered.filter((protocol) => protocol.startsWith(BEARER_PREFIX)).map((protocol) => protocol.slice(BEARER_PREFIX.length));
    case 'cookie':
      return cookieValue(getHeader(event, 'Cookie'), settings.cookieName);
    case 'query': {
      const value = event.queryStringParameters?.[settings.queryParameter];
      return value === undefined || value === null ? [] : [value];
    }
  }
}

/**
 * Finds the client's token in the enabled sources, in the order subprotocol, cookie, query string.
 * The app protocol must be offered whatever the source (it is what `$connect` echoes, and API Gateway
 * requires the `Sec-WebSocket-Protocol` identity source). A source holding two tokens is ambiguous and
 * rejected.
 *
 * @example
 * readToken(event, { sources: ['subprotocol'], cookieName: 'ws_token', queryParameter: 'token' });
 */
export function readToken(event: RequestLike, settings: TokenSourceSettings): TokenResult {
  const offered = offeredProtocols(getHeader(event, 'Sec-WebSocket-Protocol'));
  if (!offered.includes(APP_PROTOCOL)) return { ok: false, reason: 'app_protocol_missing' };
  for (const source of TOKEN_SOURCES) {
    if (!settings.sources.includes(source)) continue;
    const found = tokensIn(source, event, offered, settings);
    if (found.length > 1) return { ok: false, reason: 'multiple_tokens' };
    if (found.length === 1 && found[0] !== '') return { ok: true, token: found[0]!, source };
  }
  return { ok: false, reason: 'token_missing' };
}
