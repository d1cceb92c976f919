import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAll, replyJson } from './aws-json';

/**
 * What a DynamoDB call can meet besides its answer. The first four are DynamoDB's own error responses;
 * `timeout` holds the request unanswered (`holdMs`, then the socket is dropped: a client with a shorter
 * request timeout gives up first); `reset` drops the socket before DynamoDB sees the request;
 * `reset-after-apply` lets DynamoDB perform the call and drops the socket instead of its answer, so the
 * caller cannot tell that its write happened; `lost-response` lets DynamoDB perform the call and holds
 * its answer (`holdMs`, then the socket is dropped): a client with a shorter request timeout gives up
 * on a call that was applied, as it does when DynamoDB answers late under load, and retries it.
 */
export const DYNAMO_FAULT_KINDS = [
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'TransactionCanceledException',
  'InternalServerError',
  'timeout',
  'reset',
  'reset-after-apply',
  'lost-response',
] as const;
export type DynamoFaultKind = (typeof DYNAMO_FAULT_KINDS)[number];

/** One DynamoDB call as the fault hook sees it. */
export interface DynamoCall {
  /** The operation `X-Amz-Target: DynamoDB_20120810.<Operation>` names: `GetItem`, `TransactWriteItems`, … */
  operation: string;
  /** The request's JSON body (DynamoDB's wire format: `{"Key":{"PK":{"S":…}}}`). */
  input: Record<string, unknown>;
  /** 1 for the first request with this exact body, 2 for the SDK's first retry of it, … */
  attempt: number;
}

/**
 * Decides whether a DynamoDB call fails, and how; undefined lets it through to DynamoDB Local.
 * `TransactionCanceledException` applies to TransactWriteItems and TransactGetItems only (other calls
 * pass). Tests only.
 *
 * @example
 * const injectFault: DynamoFault = ({ operation, attempt }) => (operation === 'GetItem' && attempt === 1 ? 'ThrottlingException' : undefined);
 */
export type DynamoFault = (call: DynamoCall) => DynamoFaultKind | undefined;

export interface DynamoFaultProxyOptions {
  /** DynamoDB Local's endpoint, `http://host:port`. */
  target: string;
  injectFault: DynamoFault;
  /** How long a `timeout` holds the request, or a `lost-response` DynamoDB's answer, before dropping the socket. Default 5000 ms. */
  holdMs?: number;
  host?: string;
  port?: number;
}

export interface DynamoFaultProxy {
  /** `http://host:port`, for `AWS_ENDPOINT_URL_DYNAMODB` or the SDK's `endpoint`. */
  endpoint: string;
  /** Calls forwarded to DynamoDB Local, and faults injected by kind. */
  counters: { forwarded: number; injected: Record<DynamoFaultKind, number> };
  stop(): Promise<void>;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const DYNAMODB = 'com.amazonaws.dynamodb.v20120810';

/** DynamoDB's error responses: status, the body's `__type`, its message. */
const ERRORS: Record<'ThrottlingException' | 'ProvisionedThroughputExceededException' | 'InternalServerError', { status: number; type: string; message: string }> = {
  ThrottlingException: { status: 400, type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  ProvisionedThroughputExceededException: {
    status: 400,
    type: `${DYNAMODB}#ProvisionedThroughputExceededException`,
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  InternalServerError: { status: 500, type: `${DYNAMODB}#InternalServerError`, message: 'Internal server error' },
};

function answer(res: ServerResponse, status: number, errorType: string, body: Record<string, unknown>): void {
  replyJson(res, { status, contentType: JSON_CONTENT_TYPE, errorType, body });
}

/**
 * A transaction another one collided with: every item gets a reason, `TransactionConflict` for the
 * first, `None` for the rest, as DynamoDB reports a conflict (the SDK parses them into
 * `CancellationReasons`).
 */
function transactionCanceled(res: ServerResponse, input: Record<string, unknown>): void {
  const items = Array.isArray(input.TransactItems) ? input.TransactItems.length : 1;
  const reasons = Array.from({ length: Math.max(1, items) }, (_, index) =>
    index === 0 ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' } : { Code: 'None' },
  );
  answer(res, 400, 'TransactionCanceledException', {
    __type: `${DYNAMODB}#TransactionCanceledException`,
    CancellationReasons: reasons,
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
  });
}

/**
 * Starts an HTTP proxy in front of DynamoDB Local that fails the calls `injectFault` picks, with the
 * error responses DynamoDB sends (status, `x-amzn-ErrorType`, the JSON body with `__type`), a
 * request left unanswered, or a dropped socket; everything else is forwarded untouched.
 *
 * @example
 * const proxy = await startDynamoFaultProxy({ target: dynamo.endpoint, injectFault: () => 'ThrottlingException' });
 * env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
 */
export async function startDynamoFaultProxy(options: DynamoFaultProxyOptions): Promise<DynamoFaultProxy> {
  const target = new URL(options.target);
  const holdMs = options.holdMs ?? 5000;
  const counters = { forwarded: 0, injected: Object.fromEntries(DYNAMO_FAULT_KINDS.map((kind) => [kind, 0])) as Record<DynamoFaultKind, number> };
  const attempts = new Map<string, number>();
  const held = new Set<NodeJS.Timeout>();

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (response) => {
          readAll(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  /** Leaves the request unanswered for `holdMs`, then drops its socket (unless the client gave up first). */
  const hold = (req: IncomingMessage, res: ServerResponse): void => {
    const timer = setTimeout(() => {
      held.delete(timer);
      req.socket.destroy();
    }, holdMs);
    held.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      held.delete(timer);
    });
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readAll(req);
    const header = req.headers['x-amz-target'];
    const operation = typeof header === 'string' ? header.slice(header.indexOf('.') + 1) : '';
    let input: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
      if (typeof parsed === 'object' && parsed !== null) input = parsed as Record<string, unknown>;
    } catch {
      // Not JSON: DynamoDB Local answers it.
    }
    const digest = createHash('sha256').update(body).digest('base64');
    const attempt = (attempts.get(digest) ?? 0) + 1;
    attempts.set(digest, attempt);
    let fault = operation === '' ? undefined : options.injectFault({ operation, input, attempt });
    if (fault === 'TransactionCanceledException' && !operation.startsWith('Transact')) fault = undefined;
    if (fault) counters.injected[fault] += 1;
    switch (fault) {
      case 'ThrottlingException':
      case 'ProvisionedThroughputExceededException':
      case 'InternalServerError': {
        const { status, type, message } = ERRORS[fault];
        return answer(res, status, fault, { __type: type, message });
      }
      case 'TransactionCanceledException':
        return transactionCanceled(res, input);
      case 'timeout':
        return hold(req, res);
      case 'reset':
        req.socket.destroy();
        return;
      case 'reset-after-apply':
        await forward(req, body);
        counters.forwarded += 1;
        req.socket.destroy();
        return;
      case 'lost-response':
        await forward(req, body);
        counters.forwarded += 1;
        return hold(req, res);
      case undefined: {
        const upstream = await forward(req, body);
        counters.forwarded += 1;
        res.writeHead(upstream.status, upstream.headers);
        res.end(upstream.body);
      }
    }
  };

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) answer(res, 500, 'InternalServerError', { __type: ERRORS.InternalServerError.type, message: `the fault proxy failed: ${String(error)}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${address}:${port}`,
    counters,
    async stop() {
      for (const timer of held) clearTimeout(timer);
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
