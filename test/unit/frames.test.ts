import { ACTION_PATTERN, errorFrame, parseClientFrame } from '../../packages/contract/src/frames';

describe('errorFrame', () => {
  it('is not retryable by default and carries no id', () => {
    expect(errorFrame({ code: 'BAD_MESSAGE', message: 'body is not JSON' })).toStrictEqual({
      type: 'error',
      code: 'BAD_MESSAGE',
      message: 'body is not JSON',
      retryable: false,
    });
  });

  it('carries the id and retryable flag when given', () => {
    expect(errorFrame({ code: 'RATE_LIMITED', message: 'slow down', retryable: true, id: 7 })).toStrictEqual({
      type: 'error',
      code: 'RATE_LIMITED',
      message: 'slow down',
      retryable: true,
      id: 7,
    });
  });

  it('keeps an id of 0', () => {
    expect(errorFrame({ code: 'INTERNAL', message: 'x', id: 0 }).id).toBe(0);
  });
});

const badMessage = (message: string, id?: string | number) => ({
  ok: false,
  error: id === undefined ? { type: 'error', code: 'BAD_MESSAGE', message, retryable: false } : { type: 'error', code: 'BAD_MESSAGE', message, retryable: false, id },
});

const ID_RULE = '"id" must be a string of 1–128 characters or an integer';

describe('parseClientFrame', () => {
  it('parses an action with extra fields', () => {
    expect(parseClientFrame('{"action":"send","to":"room-1","data":{"text":"hi"}}')).toEqual({
      ok: true,
      frame: { action: 'send', to: 'room-1', data: { text: 'hi' } },
    });
  });

  it.each([
    ['a string id', '"req-1"', 'req-1'],
    ['an integer id', '42', 42],
    ['an id of 0', '0', 0],
    ['a negative id', '-3', -3],
    ['a 128-character id', JSON.stringify('i'.repeat(128)), 'i'.repeat(128)],
  ])('keeps %s', (_label, rawId, id) => {
    const result = parseClientFrame(`{"action":"ping","id":${rawId}}`);
    expect(result).toEqual({ ok: true, frame: { action: 'ping', id } });
  });

  it.each([
    ['null', null, 'empty message'],
    ['undefined', undefined, 'empty message'],
    ['an empty string', '', 'empty message'],
    ['not JSON', 'ping', 'message is not JSON'],
    ['truncated JSON', '{"action":"ping"', 'message is not JSON'],
    ['a JSON string', '"ping"', 'message must be a JSON object'],
    ['a JSON number', '1', 'message must be a JSON object'],
    ['JSON null', 'null', 'message must be a JSON object'],
    ['a JSON array', '[{"action":"ping"}]', 'message must be a JSON object'],
    ['an object without action', '{}', '"action" must be a string'],
  ])('rejects %s', (_label, body, message) => {
    expect(parseClientFrame(body)).toStrictEqual(badMessage(message));
  });

  it.each([
    ['a number', '1'],
    ['null', 'null'],
    ['a boolean', 'true'],
    ['an array', '["ping"]'],
    ['an object', '{"name":"ping"}'],
  ])('rejects an action that is %s, echoing the id', (_label, action) => {
    expect(parseClientFrame(`{"action":${action},"id":"r1"}`)).toStrictEqual(badMessage('"action" must be a string', 'r1'));
  });

  it.each([
    ['empty', ''],
    ['starting with a digit', '1ping'],
    ['starting with an underscore', '_ping'],
    ['the __proto__ key', '__proto__'],
    ['starting with $', '$default'],
    ['a space', 'send message'],
    ['a slash', 'chat/send'],
    ['a trailing newline', 'ping\n'],
    ['65 characters', 'a'.repeat(65)],
    ['non-ASCII', 'pïng'],
  ])('rejects an action %s as malformed', (_label, action) => {
    expect(parseClientFrame(JSON.stringify({ action, id: 9 }))).toStrictEqual(badMessage('"action" is malformed', 9));
  });

  it('accepts a 64-character action', () => {
    const action = 'a'.repeat(64);
    expect(parseClientFrame(JSON.stringify({ action }))).toEqual({ ok: true, frame: { action } });
    expect(ACTION_PATTERN.test(action)).toBe(true);
  });

  it.each([
    ['an empty string', '""'],
    ['129 characters', JSON.stringify('i'.repeat(129))],
    ['a huge string', JSON.stringify('i'.repeat(100_000))],
    ['a fraction', '1.5'],
    ['an unsafe integer', '9007199254740993'],
    ['an overflowing number', '1e400'],
    ['null', 'null'],
    ['a boolean', 'false'],
    ['an object', '{"n":1}'],
    ['an array', '[1]'],
  ])('rejects an id that is %s, without echoing it', (_label, rawId) => {
    expect(parseClientFrame(`{"action":"ping","id":${rawId}}`)).toStrictEqual(badMessage(ID_RULE));
  });

  it('reports a bad id before a bad action', () => {
    expect(parseClientFrame('{"action":1,"id":""}')).toStrictEqual(badMessage(ID_RULE));
  });

  it('keeps a __proto__ key as plain data without polluting prototypes', () => {
    const result = parseClientFrame('{"action":"send","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.frame)).toBe(Object.prototype);
    expect(Object.hasOwn(result.frame, '__proto__')).toBe(true);
    expect((result.frame as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(result.frame.action).toBe('send');
  });

  it('takes the last of duplicate action keys, as JSON.parse does', () => {
    expect(parseClientFrame('{"action":"_bad","action":"ping"}')).toEqual({ ok: true, frame: { action: 'ping' } });
  });
});
