import authorizerRequest from '../fixtures/events/authorizer-request.json';
import connectSample from '../fixtures/events/connect.json';
import disconnectSample from '../fixtures/events/disconnect.json';
import messageSample from '../fixtures/events/message.json';
import {
  authorizerEvent,
  connectEvent,
  disconnectEvent,
  formatRequestTime,
  headerMaps,
  messageEvent,
  newId,
  queryMaps,
  type HeaderPairs,
} from '../../sandbox/events';

const ID_SHAPE = /^[A-Za-z0-9+/]{15}=$/;
const sortedKeys = (value: unknown): string[] => Object.keys(value as Record<string, unknown>).sort();
const contextOf = (event: Record<string, unknown>): Record<string, unknown> => event.requestContext as Record<string, unknown>;

/** The sample's stage and connection, so built events can be compared value for value. */
function factsOf(sample: { requestContext: { apiId: string; stage: string; domainName: string; connectionId: string; connectedAt: number; identity: { sourceIp: string; userAgent?: string } } }) {
  const c = sample.requestContext;
  return {
    stage: { apiId: c.apiId, stage: c.stage, domainName: c.domainName, region: 'us-east-1', accountId: '123456789012' },
    connection: { connectionId: c.connectionId, connectedAt: c.connectedAt, sourceIp: c.identity.sourceIp, userAgent: c.identity.userAgent },
  };
}

/** Replaces the random ids of a built context with the sample's, leaving everything else to compare. */
function withSampleIds(built: Record<string, unknown>, sample: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const copy = { ...built };
  for (const key of keys) {
    expect(copy[key]).toMatch(ID_SHAPE);
    copy[key] = sample[key];
  }
  return copy;
}

describe('formatRequestTime', () => {
  const originalTz = process.env.TZ;
  beforeAll(() => {
    // A zone far from UTC, so local-time getters would show.
    process.env.TZ = 'Asia/Tokyo';
  });
  afterAll(() => {
    process.env.TZ = originalTz;
  });

  it.each([
    [authorizerRequest.requestContext.requestTimeEpoch, authorizerRequest.requestContext.requestTime],
    [connectSample.requestContext.requestTimeEpoch, connectSample.requestContext.requestTime],
    [messageSample.requestContext.requestTimeEpoch, messageSample.requestContext.requestTime],
    [disconnectSample.requestContext.requestTimeEpoch, disconnectSample.requestContext.requestTime],
  ])('formats %d as the recorded %j', (ms, expected) => {
    expect(formatRequestTime(ms)).toBe(expected);
  });

  it('pads single digits', () => {
    expect(formatRequestTime(Date.UTC(2024, 2, 5, 3, 4, 5, 999))).toBe('05/Mar/2024:03:04:05 +0000');
  });

  it('stays in UTC across the local date line', () => {
    expect(formatRequestTime(Date.UTC(2023, 11, 31, 23, 59, 59))).toBe('31/Dec/2023:23:59:59 +0000');
  });

  it('formats the epoch', () => {
    expect(formatRequestTime(0)).toBe('01/Jan/1970:00:00:00 +0000');
  });
});

describe('newId', () => {
  it('is shaped like an API Gateway id', () => {
    for (let i = 0; i < 200; i += 1) expect(newId()).toMatch(ID_SHAPE);
  });

  it('matches the recorded ids shape', () => {
    expect(connectSample.requestContext.connectionId).toMatch(ID_SHAPE);
    expect(messageSample.requestContext.messageId).toMatch(ID_SHAPE);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId()));
    expect(ids.size).toBe(1000);
  });
});

describe('headerMaps', () => {
  it('keeps original case, the last value in headers and every value in multiValueHeaders', () => {
    const pairs: HeaderPairs = [
      ['Host', 'h'],
      ['Sec-WebSocket-Protocol', 'a'],
      ['Sec-WebSocket-Protocol', 'b'],
      ['x-api-key', ''],
    ];
    expect(headerMaps(pairs)).toStrictEqual({
      headers: { Host: 'h', 'Sec-WebSocket-Protocol': 'b', 'x-api-key': '' },
      multiValueHeaders: { Host: ['h'], 'Sec-WebSocket-Protocol': ['a', 'b'], 'x-api-key': [''] },
    });
  });

  it('keeps names differing only in case apart', () => {
    expect(headerMaps([['Origin', 'a'], ['origin', 'b']]).multiValueHeaders).toStrictEqual({ Origin: ['a'], origin: ['b'] });
  });

  it('is empty for no headers', () => {
    expect(headerMaps([])).toStrictEqual({ headers: {}, multiValueHeaders: {} });
  });
});

describe('queryMaps', () => {
  it('returns nothing at all without a query', () => {
    const maps = queryMaps(new URLSearchParams(''));
    expect(maps).toStrictEqual({});
    expect(Object.keys(maps)).toEqual([]);
  });

  it('keeps the last value in the single map and every value in the multi map', () => {
    expect(queryMaps(new URLSearchParams('a=1&b=&a=2&c=x%20y'))).toStrictEqual({
      queryStringParameters: { a: '2', b: '', c: 'x y' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: [''], c: ['x y'] },
    });
  });
});

describe('sandbox events', () => {
  it('builds the authorizer request recorded from API Gateway', () => {
    const { stage, connection } = factsOf(authorizerRequest);
    const pairs = Object.entries(authorizerRequest.headers);
    const event = authorizerEvent(stage, connection, pairs, new URLSearchParams(''), authorizerRequest.requestContext.requestTimeEpoch);
    expect(sortedKeys(event)).toEqual(sortedKeys(authorizerRequest));
    expect(event.methodArn).toBe(authorizerRequest.methodArn);
    expect(event.headers).toStrictEqual(authorizerRequest.headers);
    expect(event.multiValueHeaders).toStrictEqual(authorizerRequest.multiValueHeaders);
    const context = contextOf(event);
    expect(context.extendedRequestId).toBe(context.requestId);
    expect(withSampleIds(context, authorizerRequest.requestContext, ['requestId', 'extendedRequestId'])).toStrictEqual(authorizerRequest.requestContext);
  });

  it('adds query maps to the authorizer request only when there is a query', () => {
    const { stage, connection } = factsOf(authorizerRequest);
    const event = authorizerEvent(stage, connection, [], new URLSearchParams('token=t'), 1);
    expect(event.queryStringParameters).toStrictEqual({ token: 't' });
    expect(event.multiValueQueryStringParameters).toStrictEqual({ token: ['t'] });
  });

  it('builds a $connect event shaped like the recorded one', () => {
    const { stage, connection } = factsOf(connectSample);
    const event = connectEvent(stage, connection, Object.entries(connectSample.headers), new URLSearchParams(''), undefined, connectSample.requestContext.requestTimeEpoch);
    expect(sortedKeys(event)).toEqual(sortedKeys(connectSample));
    expect(event.isBase64Encoded).toBe(false);
    expect(event.headers).toStrictEqual(connectSample.headers);
    expect(withSampleIds(contextOf(event), connectSample.requestContext, ['requestId', 'extendedRequestId'])).toStrictEqual(connectSample.requestContext);
  });

  it('adds the authorizer context to $connect when there is one', () => {
    const { stage, connection } = factsOf(connectSample);
    const authorizer = { userId: 'u-1', authMode: 'anonymous', principalId: 'u-1' };
    const event = connectEvent(stage, connection, [], new URLSearchParams(''), authorizer, 1);
    expect(contextOf(event).authorizer).toStrictEqual(authorizer);
  });

  it('builds a MESSAGE event shaped like the recorded one', () => {
    const { stage, connection } = factsOf(messageSample);
    const event = messageEvent(stage, connection, '$default', messageSample.body, undefined, messageSample.requestContext.requestTimeEpoch);
    expect(sortedKeys(event)).toEqual(sortedKeys(messageSample));
    expect(sortedKeys(event.requestContext)).toEqual(sortedKeys(messageSample.requestContext));
    const context = contextOf(event);
    expect(context.messageId).not.toBe(context.requestId);
    expect(withSampleIds(context, messageSample.requestContext, ['requestId', 'extendedRequestId', 'messageId'])).toStrictEqual(messageSample.requestContext);
    expect(event.body).toBe(messageSample.body);
  });

  it('leaves userAgent out of identity when the client sent none', () => {
    const { stage, connection } = factsOf(messageSample);
    const event = messageEvent(stage, { ...connection, userAgent: undefined }, 'ping', '{}', undefined, 1);
    expect(contextOf(event).identity).toStrictEqual({ sourceIp: '49.105.91.154' });
    expect(contextOf(event).routeKey).toBe('ping');
  });

  it('builds a $disconnect event shaped like the recorded one', () => {
    const { stage, connection } = factsOf(disconnectSample);
    const event = disconnectEvent(stage, connection, 1001, '', undefined, disconnectSample.requestContext.requestTimeEpoch);
    expect(sortedKeys(event)).toEqual(sortedKeys(disconnectSample));
    expect(sortedKeys(event.headers)).toEqual(sortedKeys(disconnectSample.headers));
    expect(event.headers).toStrictEqual(disconnectSample.headers);
    expect(event.multiValueHeaders).toStrictEqual(disconnectSample.multiValueHeaders);
    expect(withSampleIds(contextOf(event), disconnectSample.requestContext, ['requestId', 'extendedRequestId'])).toStrictEqual(disconnectSample.requestContext);
  });

  it('carries the close code, reason and authorizer on $disconnect', () => {
    const { stage, connection } = factsOf(disconnectSample);
    const event = disconnectEvent(stage, connection, 1000, 'bye', { userId: 'u-1' }, 1);
    const context = contextOf(event);
    expect([context.disconnectStatusCode, context.disconnectReason, context.authorizer]).toStrictEqual([1000, 'bye', { userId: 'u-1' }]);
  });
});
