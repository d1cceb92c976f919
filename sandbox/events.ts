import { randomBytes } from 'node:crypto';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** `dd/Mon/yyyy:HH:mm:ss +0000`, API Gateway's `requestTime`. */
export function formatRequestTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Ids shaped like API Gateway's recorded ones: 15 letters and digits, then `=` (`XfGLwcMrtjMCFpA=`). */
export const newId = (): string =>
  [...randomBytes(15)].map((byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('') + '=';

export interface ConnectionFacts {
  connectionId: string;
  connectedAt: number;
  sourceIp: string;
  userAgent?: string;
}

export interface StageFacts {
  apiId: string;
  stage: string;
  domainName: string;
  region: string;
  accountId: string;
}

export type HeaderPairs = Array<[string, string]>;

/** `headers` (last value wins) and `multiValueHeaders`, names in the client's original case. */
export function headerMaps(pairs: HeaderPairs): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

/** Query maps, or nothing at all when the URL has no query string (never null). */
export function queryMaps(search: URLSearchParams): {
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
} {
  const keys = [...new Set(search.keys())];
  if (keys.length === 0) return {};
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const key of keys) {
    const values = search.getAll(key);
    queryStringParameters[key] = values[values.length - 1]!;
    multiValueQueryStringParameters[key] = values;
  }
  return { queryStringParameters, multiValueQueryStringParameters };
}

function requestContext(
  stage: StageFacts,
  connection: ConnectionFacts,
  routeKey: string,
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
  now: number,
): Record<string, unknown> {
  const requestId = newId();
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: formatRequestTime(now),
    messageDirection: 'IN',
    stage: stage.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: now,
    identity: connection.userAgent === undefined ? { sourceIp: connection.sourceIp } : { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
    requestId,
    domainName: stage.domainName,
    connectionId: connection.connectionId,
    apiId: stage.apiId,
  };
}

export function authorizerEvent(
  stage: StageFacts,
  connection: ConnectionFacts,
  headers: HeaderPairs,
  search: URLSearchParams,
  now: number,
): Record<string, unknown> {
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${stage.region}:${stage.accountId}:${stage.apiId}/${stage.stage}/$connect`,
    ...headerMaps(headers),
    ...queryMaps(search),
    stageVariables: {},
    requestContext: requestContext(stage, connection, '$connect', 'CONNECT', now),
  };
}

export function connectEvent(
  stage: StageFacts,
  connection: ConnectionFacts,
  headers: HeaderPairs,
  search: URLSearchParams,
  authorizer: Record<string, unknown> | undefined,
  now: number,
): Record<string, unknown> {
  const context = requestContext(stage, connection, '$connect', 'CONNECT', now);
  if (authorizer) context.authorizer = authorizer;
  return { ...headerMaps(headers), ...queryMaps(search), requestContext: context, isBase64Encoded: false };
}

export function messageEvent(
  stage: StageFacts,
  connection: ConnectionFacts,
  routeKey: string,
  body: string,
  authorizer: Record<string, unknown> | undefined,
  now: number,
): Record<string, unknown> {
  const context = requestContext(stage, connection, routeKey, 'MESSAGE', now);
  context.messageId = newId();
  if (authorizer) context.authorizer = authorizer;
  return { requestContext: context, body, isBase64Encoded: false };
}

export function disconnectEvent(
  stage: StageFacts,
  connection: ConnectionFacts,
  statusCode: number,
  reason: string,
  authorizer: Record<string, unknown> | undefined,
  now: number,
): Record<string, unknown> {
  const context = requestContext(stage, connection, '$disconnect', 'DISCONNECT', now);
  context.disconnectStatusCode = statusCode;
  context.disconnectReason = reason;
  if (authorizer) context.authorizer = authorizer;
  return {
    ...headerMaps([
      ['Host', stage.domainName],
      ['x-api-key', ''],
      ['X-Forwarded-For', ''],
      ['x-restapi', ''],
    ]),
    requestContext: context,
    isBase64Encoded: false,
  };
}
