import type { APIGatewayEventWebsocketRequestContextV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';

/**
 * The Lambda proxy event of a WebSocket route, with the fields `@types/aws-lambda` leaves out:
 * `$connect` headers (original case), the authorizer's context and the disconnect status.
 */
export type WebSocketEvent = Omit<APIGatewayProxyWebsocketEventV2, 'requestContext'> & {
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
  /** Absent, never null, when the URL has no query string. */
  queryStringParameters?: Record<string, string | undefined>;
  requestContext: APIGatewayEventWebsocketRequestContextV2 & {
    identity?: { sourceIp?: string; userAgent?: string };
    authorizer?: Record<string, unknown> & { principalId?: string };
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
};

/** What a route integration returns. Only `statusCode` and, on `$connect`, `headers` matter. */
export interface RouteResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}
