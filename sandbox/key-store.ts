import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJsonObject, replyJson, type Json } from './aws-json';

/** One request the key store answered: its `X-Amz-Target` and JSON body. */
export interface KeyStoreRequest {
  target: string;
  body: Json;
}

export interface KeyStore {
  url: string;
  /** Parameter names and secret ids → their values; absent ones answer ParameterNotFound / ResourceNotFoundException. */
  values: Map<string, string>;
  /** Names answered once with a 500 (then served normally). */
  failOnce: Set<string>;
  /** Names whose requests are never answered (a hung service). */
  hang: Set<string>;
  requests: KeyStoreRequest[];
  /** Requests of `target` (`AmazonSSM.GetParameter`, `secretsmanager.GetSecretValue`) for `name`. */
  count(target: string, name: string): number;
  /** The environment that points the real SDK clients at this store (one attempt per call). */
  env: Record<string, string>;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const nameOf = (body: Json): string => String(body.Name ?? body.SecretId);

/**
 * SSM Parameter Store and Secrets Manager as far as key material needs them: a local endpoint answers
 * the AWS JSON 1.1 protocol for SSM GetParameter and Secrets Manager GetSecretValue; the real SDK
 * clients reach it through AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL_SECRETS_MANAGER (see `env`). The
 * fault knobs (`failOnce`, `hang`) are for tests.
 *
 * @example
 * const store = await startKeyStore();
 * Object.assign(process.env, store.env);
 * store.values.set('/app/cookie-keys', json);
 */
export async function startKeyStore(): Promise<KeyStore> {
  const values = new Map<string, string>();
  const failOnce = new Set<string>();
  const hang = new Set<string>();
  const requests: KeyStoreRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    const target = String(request.headers['x-amz-target']);
    const body = await readJsonObject(request, 1_000_000, () => new Error('the key store takes JSON objects only'));
    requests.push({ target, body });
    const name = nameOf(body);
    const error = (status: number, type: string, message: string) =>
      replyJson(response, { status, contentType: CONTENT_TYPE, errorType: type, body: { __type: type, message } });
    if (hang.has(name)) return;
    if (failOnce.delete(name)) return error(500, 'InternalServerError', 'key store failure');
    const value = values.get(name);
    if (target === 'AmazonSSM.GetParameter') {
      if (value === undefined) return error(400, 'ParameterNotFound', `no parameter ${name}`);
      return replyJson(response, { status: 200, contentType: CONTENT_TYPE, body: { Parameter: { Name: name, Type: 'SecureString', Value: value, Version: 1 } } });
    }
    if (target === 'secretsmanager.GetSecretValue') {
      if (value === undefined) return error(400, 'ResourceNotFoundException', 'no such secret');
      return replyJson(response, { status: 200, contentType: CONTENT_TYPE, body: { ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}`, Name: name, SecretString: value } });
    }
    error(400, 'UnknownOperationException', `unknown operation ${target}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    values,
    failOnce,
    hang,
    requests,
    count: (target, name) => requests.filter((r) => r.target === target && nameOf(r.body) === name).length,
    env: {
      AWS_ENDPOINT_URL_SSM: url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ACCESS_KEY_ID: 'stub',
      AWS_SECRET_ACCESS_KEY: 'stub',
      // One attempt, so a single 500 reaches the caller's cache instead of being retried away by the SDK.
      AWS_MAX_ATTEMPTS: '1',
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
