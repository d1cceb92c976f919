import { readIntegerSetting } from '../../../packages/contract/src/settings';
import { AWS_REQUEST_TIMEOUT_MS } from '../../settings/shared';

/**
 * AWS_REQUEST_TIMEOUT_MS: how long one attempt of an AWS call may take, in ms.
 *
 * Why 2000 by default: a call that hangs costs one timeout per attempt, and this SDK's DynamoDB client
 * makes 4 attempts (the other clients 3) with under 0.2 s of backoff between them. So the message
 * function gives up on a hung DynamoDB call after about 8.2 s and can still post its `INTERNAL` error
 * frame before `lambda_timeout` (10 s by default) ends it, well before API Gateway's 29 s. In-region,
 * DynamoDB, SQS and the Management API answer in milliseconds: 2 s cuts only calls that hang.
 * The bounds: below 100 ms a healthy call on a new connection (TLS included) may not finish; at
 * 5000 ms DynamoDB's 4 attempts take 20 s, which still leaves the error frame's post (and the calls
 * before the hung one) room inside API Gateway's 29 s, with `lambda_timeout` raised to match.
 */
export const REQUEST_TIMEOUT_RULE = AWS_REQUEST_TIMEOUT_MS;

/** How long opening a connection may take, in ms; capped at the request timeout, which also covers it. */
export const CONNECTION_TIMEOUT_MS = 1000;

/** The request handler options (`@smithy/node-http-handler`) that bound every attempt of an AWS call. */
export interface RequestTimeouts {
  connectionTimeout: number;
  requestTimeout: number;
  /**
   * Without it the SDK only logs a warning when `requestTimeout` passes and goes on waiting; with it
   * the attempt fails with a `TimeoutError`, which the SDK retries as transient.
   */
  throwOnRequestTimeout: true;
}

/**
 * Reads AWS_REQUEST_TIMEOUT_MS (a whole number of ms, 100–5000, default 2000) into request handler
 * options. Throws `ConfigError` on a malformed or out-of-range value.
 *
 * @example
 * readRequestTimeouts({ AWS_REQUEST_TIMEOUT_MS: '300' });
 * // { connectionTimeout: 300, requestTimeout: 300, throwOnRequestTimeout: true }
 */
export function readRequestTimeouts(env: Record<string, string | undefined> = process.env): RequestTimeouts {
  const requestTimeout = readIntegerSetting(REQUEST_TIMEOUT_RULE, env);
  return { connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, requestTimeout), requestTimeout, throwOnRequestTimeout: true };
}

// Read once, when the function starts: a bad value fails its init with a ConfigError.
const timeouts = readRequestTimeouts();

/** Request handler constructor options (agents, …); a handler instance cannot take our timeouts. */
type HandlerOptions = Record<string, unknown> & { handle?: never };

/**
 * The configuration of an AWS SDK client with the functions' timeouts added to its request handler
 * options: every client the functions create goes through here, so none can wait on a hung call until
 * the Lambda or API Gateway timeout. The timeouts win over the caller's handler options.
 *
 * @example
 * const sqs = new SQSClient(withRequestTimeouts({}));
 * const management = new ApiGatewayManagementApiClient(
 *   withRequestTimeouts({ endpoint, maxAttempts: 1, requestHandler: { httpsAgent: { keepAlive: true, maxSockets: 16 } } }),
 * );
 */
export function withRequestTimeouts<T extends object>(
  config: T & { requestHandler?: HandlerOptions },
  requestTimeouts: RequestTimeouts = timeouts,
): T & { requestHandler: RequestTimeouts } {
  return { ...config, requestHandler: { ...config.requestHandler, ...requestTimeouts } };
}
