import { selectRoute } from '../../sandbox/gateway';

const ROUTES = ['$connect', '$disconnect', '$default', 'sendMessage', 'ping'];

describe('route selection', () => {
  it('selects the route named by $request.body.action', () => {
    expect(selectRoute('$request.body.action', '{"action":"sendMessage"}', ROUTES)).toBe('sendMessage');
  });

  it('follows a nested path', () => {
    expect(selectRoute('$request.body.a.b', '{"a":{"b":"ping"}}', ROUTES)).toBe('ping');
  });

  it('accepts any iterable of route keys', () => {
    expect(selectRoute('$request.body.action', '{"action":"ping"}', new Set(ROUTES))).toBe('ping');
  });

  it('is case-sensitive', () => {
    expect(selectRoute('$request.body.action', '{"action":"SendMessage"}', ROUTES)).toBe('$default');
  });

  it.each([
    ['a body that is not JSON', '$request.body.action', 'sendMessage'],
    ['an empty body', '$request.body.action', ''],
    ['a JSON string body', '$request.body.action', '"sendMessage"'],
    ['JSON null', '$request.body.action', 'null'],
    ['a missing key', '$request.body.action', '{"type":"sendMessage"}'],
    ['a missing nested key', '$request.body.a.b', '{"a":{"c":"ping"}}'],
    ['a nested path through a string', '$request.body.a.b', '{"a":"ping"}'],
    ['a nested path through null', '$request.body.a.b', '{"a":null}'],
    ['an unknown route', '$request.body.action', '{"action":"other"}'],
    ['a number value', '$request.body.action', '{"action":1}'],
    ['a boolean value', '$request.body.action', '{"action":true}'],
    ['a null value', '$request.body.action', '{"action":null}'],
    ['an object value', '$request.body.action', '{"action":{"name":"ping"}}'],
    ['an array value', '$request.body.action', '{"action":["ping"]}'],
    ['a $connect value', '$request.body.action', '{"action":"$connect"}'],
    ['a $disconnect value', '$request.body.action', '{"action":"$disconnect"}'],
    ['a $default value', '$request.body.action', '{"action":"$default"}'],
    ['an expression not on the body', '$request.header.action', '{"action":"ping"}'],
    ['a body expression without a path', '$request.body', '{"action":"ping"}'],
    ['a prototype key in the path', '$request.body.constructor.name', '{}'],
    ['__proto__ in the path', '$request.body.__proto__', '{}'],
    ['toString in the path', '$request.body.toString', '{}'],
  ])('selects $default for %s', (_label, expression, body) => {
    expect(selectRoute(expression, body, ROUTES)).toBe('$default');
  });

  it.each(['toString', 'constructor', '__proto__'])('does not match %j against an inherited property of the route list', (action) => {
    expect(selectRoute('$request.body.action', JSON.stringify({ action }), ROUTES)).toBe('$default');
  });

  it('reads a __proto__ key that the body really has', () => {
    expect(selectRoute('$request.body.__proto__', '{"__proto__":"ping"}', ROUTES)).toBe('ping');
  });
});
