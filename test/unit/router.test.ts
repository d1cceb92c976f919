import { builtinActions, route, type ActionHandler } from '../../functions/lib/protocol/router';

const context = { connectionId: 'XfGLwcMrtjMCFpA=', now: 1_700_000_000_000 };

describe('router', () => {
  it('answers ping with a pong at the request time', async () => {
    expect(await route('{"action":"ping"}', context)).toStrictEqual({ frames: [{ type: 'pong', ts: 1_700_000_000_000 }], action: 'ping' });
  });

  it.each([
    ['a string id', '"req-1"', 'req-1'],
    ['a numeric id', '5', 5],
    ['an id of 0', '0', 0],
  ])('echoes %s on the pong', async (_label, rawId, id) => {
    const result = await route(`{"action":"ping","id":${rawId}}`, context);
    expect(result.frames).toStrictEqual([{ type: 'pong', id, ts: 1_700_000_000_000 }]);
  });

  it('answers a body that is not JSON with BAD_MESSAGE and no action', async () => {
    expect(await route('not json', context)).toStrictEqual({
      frames: [{ type: 'error', code: 'BAD_MESSAGE', message: 'message is not JSON', retryable: false }],
      reason: 'bad_message',
      rejected: 'message is not JSON',
    });
  });

  it('answers an empty body with BAD_MESSAGE', async () => {
    const result = await route(undefined, context);
    expect(result.rejected).toBe('empty message');
    expect(result.frames).toHaveLength(1);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'Ping', 'unknown'])(
    'treats %j as an unknown action',
    async (action) => {
      const message = `unknown action "${action}"`;
      expect(await route(JSON.stringify({ action, id: 'r1' }), context)).toStrictEqual({
        frames: [{ type: 'error', code: 'BAD_MESSAGE', message, retryable: false, id: 'r1' }],
        action,
        reason: 'bad_message',
        rejected: message,
      });
    },
  );

  it('answers a __proto__ action with BAD_MESSAGE (malformed) rather than a crash', async () => {
    expect(await route('{"action":"__proto__","id":3}', context)).toStrictEqual({
      frames: [{ type: 'error', code: 'BAD_MESSAGE', message: '"action" is malformed', retryable: false, id: 3 }],
      reason: 'bad_message',
      rejected: '"action" is malformed',
    });
  });

  it('does not use handlers inherited through the prototype of the action map', async () => {
    const inherited: Record<string, ActionHandler> = Object.create({ secret: () => [{ type: 'pong', ts: 1 }] });
    const result = await route('{"action":"secret"}', context, inherited);
    expect(result.rejected).toBe('unknown action "secret"');
  });

  it('works with an action map that has no prototype', async () => {
    const actions: Record<string, ActionHandler> = Object.assign(Object.create(null), builtinActions);
    expect((await route('{"action":"toString"}', context, actions)).rejected).toBe('unknown action "toString"');
    expect((await route('{"action":"ping"}', context, actions)).frames).toStrictEqual([{ type: 'pong', ts: context.now }]);
  });

  it('passes the frame and context to a custom handler and awaits it', async () => {
    const calls: unknown[] = [];
    const actions: Record<string, ActionHandler> = {
      echo: async (frame, ctx) => {
        calls.push([frame, ctx]);
        return [{ type: 'pong', id: frame.id, ts: ctx.now + 1 }];
      },
    };
    const result = await route('{"action":"echo","id":"e1","text":"hi"}', context, actions);
    expect(result).toStrictEqual({ frames: [{ type: 'pong', id: 'e1', ts: context.now + 1 }], action: 'echo' });
    expect(calls).toEqual([[{ action: 'echo', id: 'e1', text: 'hi' }, context]]);
  });

  it('does not offer ping when a custom action map replaces the built-ins', async () => {
    expect((await route('{"action":"ping"}', context, {})).rejected).toBe('unknown action "ping"');
  });

  it('answers a handler that throws with a retryable INTERNAL carrying the request id, and returns the error', async () => {
    const failure = new Error('handler failed');
    const actions: Record<string, ActionHandler> = {
      boom: () => {
        throw failure;
      },
    };
    const result = await route('{"action":"boom","id":"b1"}', { ...context, requestId: 'req-42' }, actions);
    expect(result).toStrictEqual({
      frames: [
        {
          type: 'error',
          code: 'INTERNAL',
          message: 'the server failed to serve this request; retry it (request req-42)',
          retryable: true,
          id: 'b1',
          requestId: 'req-42',
        },
      ],
      action: 'boom',
      reason: 'internal',
      error: failure,
    });
  });

  it('answers a handler whose promise rejects the same way', async () => {
    const actions: Record<string, ActionHandler> = { boom: async () => Promise.reject(new RangeError('Maximum call stack size exceeded')) };
    const result = await route('{"action":"boom"}', context, actions);
    expect(result.frames).toStrictEqual([{ type: 'error', code: 'INTERNAL', message: 'the server failed to serve this request; retry it', retryable: true }]);
    expect(result.reason).toBe('internal');
  });

  it.each([
    ['subscribe without a channel', '{"action":"subscribe","id":1}', '"channel" must be a channel name (a string)'],
    ['subscribe with a string since', '{"action":"subscribe","channel":"news","since":"5","id":1}', '"since" must be a whole number ≥ 0 (the last sequence number seen)'],
    ['publish without data', '{"action":"publish","channel":"news","id":1}', '"data" is required (any JSON value)'],
    ['state.set with a huge version', '{"action":"state.set","version":9007199254740993,"state":1,"id":1}', '"version" must be the version you read (a whole number ≥ 0)'],
    ['resume with a numeric token', '{"action":"resume","sessionId":"s","resumeToken":7,"id":1}', '"resumeToken" must be the string `welcome` gave'],
    ['resume with channels as a list', '{"action":"resume","sessionId":"s","channels":["news"],"id":1}', '"channels" must be an object of channel → last sequence number seen'],
    ['auth with an empty token', '{"action":"auth","token":"","id":1}', '"token" must be a non-empty string'],
  ])('answers %s with BAD_MESSAGE before the handler runs', async (_what, body, message) => {
    const handler = jest.fn();
    const action = (JSON.parse(body) as { action: string }).action;
    const result = await route(body, context, { [action]: handler });
    expect(result).toStrictEqual({ frames: [{ type: 'error', code: 'BAD_MESSAGE', message, retryable: false, id: 1 }], action, reason: 'bad_message', rejected: message });
    expect(handler).not.toHaveBeenCalled();
  });

  describe('with a permission map', () => {
    const permissions = new Map([['ping', new Set(['admin', 'ops'])]]);
    const as = (roles?: string[]) => ({ ...context, identity: { userId: 'u-1', authMode: 'jwt' as const, ...(roles ? { roles } : {}) } });

    it('lets an identity with one of the roles through', async () => {
      expect((await route('{"action":"ping"}', as(['reader', 'ops']), undefined, permissions)).frames).toStrictEqual([{ type: 'pong', ts: 1_700_000_000_000 }]);
    });

    it.each([
      ['no roles', undefined],
      ['other roles', ['reader']],
      ['a role that differs only in case', ['Admin']],
    ])('answers an identity with %s with FORBIDDEN and runs nothing', async (_what, roles) => {
      const handler = jest.fn();
      const result = await route('{"action":"ping","id":9}', as(roles), { ping: handler }, permissions);
      expect(result).toStrictEqual({
        frames: [{ type: 'error', code: 'FORBIDDEN', message: 'action "ping" needs one of the roles: admin, ops', retryable: false, id: 9 }],
        action: 'ping',
        reason: 'forbidden',
        rejected: 'action "ping" needs one of the roles: admin, ops',
      });
      expect(handler).not.toHaveBeenCalled();
    });

    it('leaves actions that are not in the map open to everyone', async () => {
      expect((await route('{"action":"ping"}', context, undefined, new Map([['broadcast', new Set(['admin'])]]))).frames[0]).toMatchObject({ type: 'pong' });
    });
  });

  describe('for a two-phase connection that has not authenticated', () => {
    const pending = { ...context, pendingAuth: true };
    const auth = jest.fn(() => [{ type: 'ack' as const, action: 'auth' }]);

    it('runs auth and ping', async () => {
      expect((await route('{"action":"auth","token":"t"}', pending, { ...builtinActions, auth })).frames).toStrictEqual([{ type: 'ack', action: 'auth' }]);
      expect((await route('{"action":"ping"}', pending)).frames[0]).toMatchObject({ type: 'pong' });
    });

    it.each(['publish', 'unknown', 'constructor'])('answers %j with AUTH_INVALID before looking the action up', async (action) => {
      const result = await route(JSON.stringify({ action, id: 5 }), pending, { ...builtinActions, auth, publish: jest.fn() });
      expect(result).toStrictEqual({
        frames: [{ type: 'error', code: 'AUTH_INVALID', message: 'authenticate first: send {"action":"auth","token":…}', retryable: false, id: 5 }],
        action,
        reason: 'unauthenticated',
        rejected: 'authenticate first: send {"action":"auth","token":…}',
      });
    });
  });

  describe('for a connection whose token expired', () => {
    const expired = { ...context, authExpired: true };
    const message = 'the token expired: refresh it with {"action":"auth","token":…} before it does';

    it('runs auth, the refresh', async () => {
      const auth = jest.fn(() => [{ type: 'ack' as const, action: 'auth' }]);
      expect((await route('{"action":"auth","token":"t"}', expired, { ...builtinActions, auth })).frames).toStrictEqual([{ type: 'ack', action: 'auth' }]);
    });

    it.each(['ping', 'publish', 'unknown'])('answers %j with AUTH_EXPIRED for the caller to close the connection', async (action) => {
      const publish = jest.fn();
      expect(await route(JSON.stringify({ action, id: 7 }), expired, { ...builtinActions, publish })).toStrictEqual({
        frames: [{ type: 'error', code: 'AUTH_EXPIRED', message, retryable: false, id: 7 }],
        action,
        reason: 'auth_expired',
        rejected: message,
      });
      expect(publish).not.toHaveBeenCalled();
    });

    it('answers a frame that does not parse with AUTH_EXPIRED too', async () => {
      expect((await route('not json', expired)).frames).toStrictEqual([{ type: 'error', code: 'AUTH_EXPIRED', message, retryable: false }]);
    });
  });
});

describe('router: actions for signed-in connections only', () => {
  const adopt: ActionHandler = () => [{ type: 'ack', action: 'adopt' }];

  it('refuses adopt from a guest (an anonymous identity) with FORBIDDEN before it runs', async () => {
    const guest = { ...context, identity: { userId: 'g'.repeat(16), authMode: 'anonymous' as const } };
    expect(await route('{"action":"adopt","sessionId":"s","resumeToken":"t","id":1}', guest, { adopt })).toStrictEqual({
      frames: [{ type: 'error', code: 'FORBIDDEN', message: 'action "adopt" is for a signed-in connection, not a guest', retryable: false, id: 1 }],
      action: 'adopt',
      reason: 'forbidden',
      rejected: 'action "adopt" is for a signed-in connection, not a guest',
    });
  });

  it('runs adopt for a signed-in identity', async () => {
    const member = { ...context, identity: { userId: 'user-1', authMode: 'two-phase' as const } };
    expect((await route('{"action":"adopt","sessionId":"s","resumeToken":"t"}', member, { adopt })).frames).toStrictEqual([{ type: 'ack', action: 'adopt' }]);
  });
});
