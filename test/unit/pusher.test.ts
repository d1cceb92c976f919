import { ApiGatewayManagementApiClient, ApiGatewayManagementApiServiceException, ForbiddenException, GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import { PushError } from '../../functions/lib/errors';
import { configureLog } from '../../functions/lib/log';
import { createPusher, isGone, managementClient, managementEndpoint } from '../../functions/lib/push/pusher';
import type { SessionStore } from '../../functions/lib/sessions/session-store';
import type { ConnectionStore } from '../../functions/lib/store/connection-store';

/** These connections have no session (the store finds none), so nothing is detached. */
const sessions = { store: {} as SessionStore, resumeWindowSeconds: 120 };

describe('isGone', () => {
  it('recognises the SDK GoneException', () => {
    expect(isGone(new GoneException({ $metadata: { httpStatusCode: 410 }, message: 'gone' }))).toBe(true);
  });

  it('recognises an error named GoneException without metadata', () => {
    const error = new Error('gone');
    error.name = 'GoneException';
    expect(isGone(error)).toBe(true);
  });

  it('recognises a 410 whose error type header was missing', () => {
    const error = Object.assign(new Error('UnknownError'), { $metadata: { httpStatusCode: 410 } });
    expect(isGone(error)).toBe(true);
  });

  it.each([
    ['a ForbiddenException', new ForbiddenException({ $metadata: { httpStatusCode: 403 }, message: 'no' })],
    ['a 404', Object.assign(new Error('NotFound'), { $metadata: { httpStatusCode: 404 } })],
    ['a 410 given as a string', Object.assign(new Error('x'), { $metadata: { httpStatusCode: '410' } })],
    ['a plain Error', new Error('GoneException')],
    ['an object shaped like the exception', { name: 'GoneException', $metadata: { httpStatusCode: 410 } }],
    ['a string', 'GoneException'],
    ['null', null],
    ['undefined', undefined],
  ])('does not treat %s as gone', (_label, error) => {
    expect(isGone(error)).toBe(false);
  });
});

describe('managementEndpoint', () => {
  const requestContext = { domainName: 'abcdef123.execute-api.us-east-1.amazonaws.com', stage: 'dev' };

  it('derives https://{domainName}/{stage}', () => {
    expect(managementEndpoint(requestContext, undefined)).toBe('https://abcdef123.execute-api.us-east-1.amazonaws.com/dev');
  });

  it('prefers an explicit override', () => {
    expect(managementEndpoint(requestContext, 'http://127.0.0.1:3001')).toBe('http://127.0.0.1:3001');
  });

  it('ignores an empty override', () => {
    expect(managementEndpoint(requestContext, '')).toBe('https://abcdef123.execute-api.us-east-1.amazonaws.com/dev');
  });

  it.each([
    ['no domainName', { stage: 'dev' }],
    ['no stage', { domainName: 'abcdef123.execute-api.us-east-1.amazonaws.com' }],
    ['an empty stage', { domainName: 'd', stage: '' }],
    ['nothing', {}],
  ])('throws with %s and no override', (_label, context) => {
    expect(() => managementEndpoint(context, undefined)).toThrow('the event has no domainName/stage to derive the management endpoint from');
  });
});

describe('managementClient', () => {
  it('reuses one client per endpoint', () => {
    const a = managementClient('http://127.0.0.1:1/a');
    expect(managementClient('http://127.0.0.1:1/a')).toBe(a);
    expect(managementClient('http://127.0.0.1:1/b')).not.toBe(a);
  });
});

/**
 * Fault injection: a real SDK client whose first middleware answers every command with the given error
 * (or success), so no request leaves the process. API Gateway cannot be made to answer 410 on demand.
 */
function clientAnswering(outcome: Error | 'ok'): { client: ApiGatewayManagementApiClient; inputs: Array<{ name: string; input: unknown }> } {
  const client = new ApiGatewayManagementApiClient({
    endpoint: 'http://127.0.0.1:1',
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  const inputs: Array<{ name: string; input: unknown }> = [];
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      inputs.push({ name: context.commandName ?? '', input: args.input });
      if (outcome === 'ok') return { output: { $metadata: { httpStatusCode: 200 } }, response: {} };
      throw outcome;
    },
    { step: 'initialize', name: 'injectFault' },
  );
  return { client, inputs };
}

function recordingStore(): { store: ConnectionStore; deleted: string[] } {
  const deleted: string[] = [];
  const store: ConnectionStore = {
    putConnection: async () => 'stored',
    getConnection: async () => undefined,
    deleteConnection: async (connectionId) => {
      deleted.push(connectionId);
      return undefined;
    },
    listUserConnections: async () => ({ connections: [] }),
    repairConnectionCount: async () => undefined,
    authenticateConnection: async () => 'gone',
    listNearCut: async () => ({ items: [] }),
    claimGoaway: async () => false,
    releaseGoaway: async () => undefined,
    listDead: async () => ({ items: [] }),
    listOverduePending: async () => ({ items: [] }),
    putTokenDeadline: async () => undefined,
    deleteTokenDeadline: async () => undefined,
  };
  return { store, deleted };
}

describe('pusher', () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    configureLog({ level: 'info', sink: (line) => lines.push(line) });
  });

  it('posts an object as JSON and reports sent', async () => {
    const { client, inputs } = clientAnswering('ok');
    const { store, deleted } = recordingStore();
    const result = await createPusher({ client, store, sessions }).send({ connectionId: 'c-1', data: { type: 'pong', ts: 1 } });
    expect(result).toBe('sent');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]?.name).toBe('PostToConnectionCommand');
    expect(inputs[0]?.input).toEqual({ ConnectionId: 'c-1', Data: '{"type":"pong","ts":1}' });
    expect(deleted).toEqual([]);
  });

  it('posts a string as is', async () => {
    const { client, inputs } = clientAnswering('ok');
    await createPusher({ client, store: recordingStore().store, sessions }).send({ connectionId: 'c-1', data: 'raw' });
    expect(inputs[0]?.input).toEqual({ ConnectionId: 'c-1', Data: 'raw' });
  });

  it('deletes a gone connection, logs it and reports gone', async () => {
    const { client } = clientAnswering(new GoneException({ $metadata: { httpStatusCode: 410 }, message: 'gone' }));
    const { store, deleted } = recordingStore();
    expect(await createPusher({ client, store, sessions }).send({ connectionId: 'c-gone', data: {} })).toBe('gone');
    expect(deleted).toEqual(['c-gone']);
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(record.event).toBe('stale_connection');
    expect(record.connectionId).toBe('c-gone');
    expect(record.StaleConnections).toBe(1);
  });

  it('treats a gone connection on disconnect the same way', async () => {
    const { client, inputs } = clientAnswering(new GoneException({ $metadata: { httpStatusCode: 410 }, message: 'gone' }));
    const { store, deleted } = recordingStore();
    expect(await createPusher({ client, store, sessions }).disconnect({ connectionId: 'c-gone' })).toBe('gone');
    expect(inputs[0]?.name).toBe('DeleteConnectionCommand');
    expect(deleted).toEqual(['c-gone']);
  });

  it.each(['send', 'disconnect'] as const)('wraps any other failure of %s in a PushError with the cause', async (verb) => {
    const cause = new ForbiddenException({ $metadata: { httpStatusCode: 403 }, message: 'Forbidden' });
    const { client } = clientAnswering(cause);
    const { store, deleted } = recordingStore();
    const pusher = createPusher({ client, store, sessions });
    const attempt = verb === 'send' ? pusher.send({ connectionId: 'c-1', data: {} }) : pusher.disconnect({ connectionId: 'c-1' });
    const error: unknown = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PushError);
    expect((error as PushError).connectionId).toBe('c-1');
    expect((error as PushError).message).toBe(`${verb === 'send' ? 'PostToConnection' : 'DeleteConnection'} failed for c-1`);
    expect((error as PushError).cause).toBe(cause);
    expect(cause).toBeInstanceOf(ApiGatewayManagementApiServiceException);
    expect(deleted).toEqual([]);
  });
});
