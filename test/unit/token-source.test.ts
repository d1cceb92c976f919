import { APP_PROTOCOL, readToken, type TokenSourceSettings } from '../../functions/lib/auth/token-source';

const all: TokenSourceSettings = { sources: ['subprotocol', 'cookie', 'query'], cookieName: 'ws_token', queryParameter: 'token' };
const only = (source: TokenSourceSettings['sources'][number]): TokenSourceSettings => ({ ...all, sources: [source] });

/** A request as API Gateway passes it: `headers` and `queryStringParameters` keep the last of repeated values, the multi-value maps all. */
const request = ({ protocol, cookie, query }: { protocol?: string; cookie?: string | string[]; query?: Record<string, string | string[]> }) => {
  const cookies = cookie === undefined ? [] : Array.isArray(cookie) ? cookie : [cookie];
  const queries = Object.entries(query ?? {}).map(([name, value]) => [name, Array.isArray(value) ? value : [value]] as const);
  return {
    headers: { ...(protocol === undefined ? {} : { 'Sec-WebSocket-Protocol': protocol }), ...(cookies.length === 0 ? {} : { Cookie: cookies[cookies.length - 1]! }) },
    multiValueHeaders: { ...(protocol === undefined ? {} : { 'Sec-WebSocket-Protocol': [protocol] }), ...(cookies.length === 0 ? {} : { Cookie: cookies }) },
    ...(query
      ? {
          queryStringParameters: Object.fromEntries(queries.map(([name, values]) => [name, values[values.length - 1]!])),
          multiValueQueryStringParameters: Object.fromEntries(queries),
        }
      : {}),
  };
};

describe('token sources', () => {
  it('reads a bearer token offered beside the app protocol', () => {
    expect(readToken(request({ protocol: `${APP_PROTOCOL}, bearer.a.b.c` }), only('subprotocol'))).toEqual({ ok: true, token: 'a.b.c', source: 'subprotocol' });
  });

  it('reads the token from its cookie among others', () => {
    expect(readToken(request({ protocol: APP_PROTOCOL, cookie: 'theme=dark; ws_token=a.b.c; x=1' }), only('cookie'))).toEqual({
      ok: true,
      token: 'a.b.c',
      source: 'cookie',
    });
  });

  it('reads the query string only when that source is enabled', () => {
    const req = request({ protocol: APP_PROTOCOL, query: { token: 'a.b.c' } });
    expect(readToken(req, only('query'))).toEqual({ ok: true, token: 'a.b.c', source: 'query' });
    expect(readToken(req, only('subprotocol'))).toEqual({ ok: false, reason: 'token_missing' });
    expect(readToken(req, only('cookie'))).toEqual({ ok: false, reason: 'token_missing' });
  });

  it('reads one token from whichever enabled source holds it', () => {
    expect(readToken(request({ protocol: `${APP_PROTOCOL}, bearer.a.b.c` }), all)).toEqual({ ok: true, token: 'a.b.c', source: 'subprotocol' });
    expect(readToken(request({ protocol: APP_PROTOCOL, cookie: 'ws_token=a.b.c' }), all)).toEqual({ ok: true, token: 'a.b.c', source: 'cookie' });
    expect(readToken(request({ protocol: APP_PROTOCOL, query: { token: 'a.b.c' } }), all)).toEqual({ ok: true, token: 'a.b.c', source: 'query' });
  });

  it('ignores a token in a source that is not enabled', () => {
    const req = request({ protocol: `${APP_PROTOCOL}, bearer.from-protocol`, cookie: 'ws_token=from-cookie', query: { token: 'from-query' } });
    expect(readToken(req, only('cookie'))).toEqual({ ok: true, token: 'from-cookie', source: 'cookie' });
  });

  it.each([
    ['no subprotocol at all', request({ cookie: 'ws_token=a.b.c' }), 'app_protocol_missing'],
    ['a bearer token without the app protocol', request({ protocol: 'bearer.a.b.c' }), 'app_protocol_missing'],
    ['the app protocol in another case', request({ protocol: 'WS-SESSIONS.V1, bearer.a.b.c' }), 'app_protocol_missing'],
    ['the app protocol and nothing else', request({ protocol: APP_PROTOCOL }), 'token_missing'],
    ['an empty bearer token', request({ protocol: `${APP_PROTOCOL}, bearer.` }), 'token_missing'],
    ['two bearer tokens', request({ protocol: `${APP_PROTOCOL}, bearer.a.b.c, bearer.d.e.f` }), 'multiple_tokens'],
    ['two token cookies', request({ protocol: APP_PROTOCOL, cookie: 'ws_token=a; ws_token=b' }), 'multiple_tokens'],
    ['two token cookies in two Cookie headers', request({ protocol: APP_PROTOCOL, cookie: ['ws_token=a', 'x=1; ws_token=b'] }), 'multiple_tokens'],
    ['a repeated query parameter', request({ protocol: APP_PROTOCOL, query: { token: ['a.b.c', 'd.e.f'] } }), 'multiple_tokens'],
    ['a subprotocol token and a cookie', request({ protocol: `${APP_PROTOCOL}, bearer.a.b.c`, cookie: 'ws_token=d.e.f' }), 'multiple_tokens'],
    ['the same token as subprotocol and cookie', request({ protocol: `${APP_PROTOCOL}, bearer.a.b.c`, cookie: 'ws_token=a.b.c' }), 'multiple_tokens'],
    ['a cookie and a query parameter', request({ protocol: APP_PROTOCOL, cookie: 'ws_token=a.b.c', query: { token: 'd.e.f' } }), 'multiple_tokens'],
    ['a subprotocol token and an empty cookie', request({ protocol: `${APP_PROTOCOL}, bearer.a.b.c`, cookie: 'ws_token=' }), 'multiple_tokens'],
    ['a cookie whose name only starts like the token cookie', request({ protocol: APP_PROTOCOL, cookie: 'ws_token_old=a.b.c' }), 'token_missing'],
  ])('rejects %s', (_what, req, reason) => {
    expect(readToken(req, all)).toEqual({ ok: false, reason });
  });
});
