import { ForbiddenException, GoneException, LimitExceededException } from '@aws-sdk/client-apigatewaymanagementapi';
import { classifyPostError, isGone, managementClient, managementEndpoint, postToConnection } from '../../functions/lib/push/management-api';
import { clientAnswering } from '../helpers/management-fault';

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

describe('classifyPostError', () => {
  const error = (name: string, status?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  it.each([
    ['GoneException', 410, 'gone'],
    ['LimitExceededException', 429, 'retry'],
    ['InternalServerErrorException', 500, 'retry'],
    ['TimeoutError', undefined, 'retry'],
    ['ForbiddenException', 403, 'rejected'],
    ['PayloadTooLargeException', 413, 'rejected'],
    ['BadRequestException', 400, 'rejected'],
  ])('classifies %s (%s) as %s', (name, status, kind) => {
    expect(classifyPostError(error(name, status)).kind).toBe(kind);
  });
});

describe('postToConnection (mocked Management API answers)', () => {
  it('posts an object as JSON and reports sent', async () => {
    const { client, inputs } = clientAnswering('ok');
    expect(await postToConnection({ client, connectionId: 'c-1', data: { type: 'pong' } })).toEqual({ kind: 'sent' });
    expect(inputs).toEqual([{ name: 'PostToConnectionCommand', input: { ConnectionId: 'c-1', Data: '{"type":"pong"}' } }]);
  });

  it('posts a string as is', async () => {
    const { client, inputs } = clientAnswering('ok');
    await postToConnection({ client, connectionId: 'c-1', data: 'raw' });
    expect(inputs[0]?.input).toEqual({ ConnectionId: 'c-1', Data: 'raw' });
  });

  it('reports a gone connection without throwing', async () => {
    const { client } = clientAnswering(new GoneException({ $metadata: { httpStatusCode: 410 }, message: 'gone' }));
    expect(await postToConnection({ client, connectionId: 'c-1', data: 'x' })).toEqual({ kind: 'gone' });
  });

  it('reports a throttled post as one to retry, with what the SDK threw', async () => {
    const error = new LimitExceededException({ $metadata: { httpStatusCode: 429 }, message: 'slow down' });
    const { client } = clientAnswering(error);
    expect(await postToConnection({ client, connectionId: 'c-1', data: 'x' })).toEqual({ kind: 'retry', status: 429, error });
  });

  it('reports a forbidden post as rejected, with its reason', async () => {
    const error = new ForbiddenException({ $metadata: { httpStatusCode: 403 }, message: 'no' });
    const { client } = clientAnswering(error);
    expect(await postToConnection({ client, connectionId: 'c-1', data: 'x' })).toEqual({ kind: 'rejected', reason: 'forbidden', status: 403, error });
  });
});
