import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebSocket } from 'ws';
import { newId } from './events';
import { readBody, replyJson } from './aws-json';
import type { LiveConnection } from './gateway';

export type ManagementOperation = 'PostToConnection' | 'GetConnection' | 'DeleteConnection';

/**
 * Returns a status to fail the call with (429, 410, …) instead of performing it. Tests only. `data`
 * is the frame a PostToConnection would have sent (undefined for other operations or an oversized one).
 */
export type ManagementFault = (operation: ManagementOperation, connectionId: string, data?: string) => number | undefined;

const ERROR_TYPES: Record<number, string> = {
  403: 'ForbiddenException',
  410: 'GoneException',
  413: 'PayloadTooLargeException',
  429: 'LimitExceededException',
};

const OPERATIONS: Record<string, ManagementOperation> = {
  POST: 'PostToConnection',
  GET: 'GetConnection',
  DELETE: 'DeleteConnection',
};

export interface ManagementContext {
  stage: string;
  connections: Map<string, LiveConnection>;
  maxPayloadBytes: number;
  /** The modelled network round trip, waited before each call is served (sandbox/latency.ts). */
  hold?: () => Promise<void>;
  injectFault?: ManagementFault;
  onActivity: (connection: LiveConnection) => void;
  accessLog: (entry: Record<string, unknown>) => void;
}

function fail(res: ServerResponse, status: number, message: string | null): void {
  replyJson(res, { status, requestId: newId(), errorType: ERROR_TYPES[status] ?? 'InternalServerErrorException', body: { message } });
}


/**
 * Serves `POST|GET|DELETE /{stage}/@connections/{id}` (and without the stage) like the Management API.
 * Returns false when the request is not for the Management API.
 */
export function handleManagement(req: IncomingMessage, res: ServerResponse, ctx: ManagementContext): boolean {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  // Clients may send "@" as %40 (the SDK does).
  const match = /^(?:\/([^/]+))?\/@connections\/([^/]+)$/.exec(url.pathname.replace(/%40/gi, '@'));
  if (!match) return false;
  void serve(req, res, ctx, match[1], match[2]!).catch(() => {
    if (!res.headersSent) fail(res, 500, 'Internal server error');
  });
  return true;
}

async function serve(req: IncomingMessage, res: ServerResponse, ctx: ManagementContext, stage: string | undefined, rawId: string): Promise<void> {
  const operation = OPERATIONS[req.method ?? ''];
  const auth = req.headers.authorization ?? '';
  // Connection ids end in "=" and arrive as %3D; "@" may arrive as %40.
  let connectionId: string;
  try {
    connectionId = decodeURIComponent(rawId);
  } catch {
    connectionId = rawId;
  }
  const log = (status: number) => ctx.accessLog({ operation: operation ?? req.method, connectionId, status });

  if (!operation || (stage !== undefined && stage !== ctx.stage)) {
    log(403);
    return fail(res, 403, 'Forbidden');
  }
  if (!auth.startsWith('AWS4-HMAC-SHA256 ')) {
    log(403);
    return fail(res, 403, 'Missing Authentication Token');
  }
  const body = operation === 'PostToConnection' ? await readBody(req, ctx.maxPayloadBytes) : undefined;
  await ctx.hold?.();
  const injected = ctx.injectFault?.(operation, connectionId, body instanceof Buffer ? body.toString('utf8') : undefined);
  if (injected !== undefined) {
    log(injected);
    return fail(res, injected, injected === 429 ? 'Rate exceeded' : null);
  }
  if (body === 'too_large') {
    log(413);
    return fail(res, 413, 'Request entity too large');
  }
  const connection = ctx.connections.get(connectionId);
  if (!connection || connection.socket.readyState !== WebSocket.OPEN) {
    log(410);
    return fail(res, 410, null);
  }

  switch (operation) {
    case 'PostToConnection':
      connection.socket.send((body as Buffer).toString('utf8'));
      ctx.onActivity(connection);
      log(200);
      return replyJson(res, { status: 200, contentType: 'application/json', requestId: newId() });
    case 'GetConnection':
      log(200);
      return replyJson(res, {
        status: 200,
        requestId: newId(),
        body: {
          connectedAt: new Date(connection.facts.connectedAt).toISOString(),
          identity: { sourceIp: connection.facts.sourceIp, userAgent: connection.facts.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        },
      });
    case 'DeleteConnection':
      // DeleteConnection always closes with 1000; an application reason must be sent as a frame first.
      connection.socket.close(1000);
      log(204);
      return replyJson(res, { status: 204, requestId: newId() });
  }
}
