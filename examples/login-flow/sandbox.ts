/**
 * The login example in the sandbox: its function (dist/login-api.zip) behind its HTTP routes, beside
 * the stack, with a cookie key set of fresh random keys in the sandbox's SSM endpoint. `npm start`
 * serves the routes from the demo page's server, so the page, the HTTP API and (by the cookie's host)
 * the WebSocket handshake share the session cookie.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startKeyStore, type KeyStore } from '../../sandbox/key-store';
import type { ProjectSandboxOptions } from '../../sandbox/project';
import { SESSION_COOKIE_KEYS_SSM_PARAMETER } from '../../packages/sessions/src/cookie/settings';
import ROUTE_KEYS from './routes.json';

/** Where the sandbox keeps the cookie key set, as the example's Terraform keeps it in SSM. */
export const COOKIE_KEYS_PARAMETER = '/websocket-sessions/sandbox/cookie-keys';
/** Where it keeps the access tokens' HS256 key, which the stack's jwt mode needs (the page connects with the cookie). */
export const ACCESS_TOKEN_KEY_PARAMETER = '/websocket-sessions/sandbox/access-token-key';

export interface LoginExample {
  keyStore: KeyStore;
  /** The settings every function that opens the cookie needs (the login API, and the authorizer): where the key set is. */
  cookieEnv: Record<string, string>;
  /**
   * What `startProjectSandbox` takes to run the stack as the example's Terraform does (jwt mode with
   * the session cookie accepted at `$connect`, the sessions checked) and the login API beside it.
   */
  options: Pick<ProjectSandboxOptions, 'authMode' | 'jwt' | 'functionEnv' | 'httpFunctions'>;
  stop(): Promise<void>;
}

/**
 * Starts the key set's store and gives the login API's wiring; `settings` are the function's settings
 * by name (the session, login and cookie settings of packages/sessions), as the example's Terraform
 * passes them.
 *
 * @example
 * const login = await startLoginExample();
 * const sandbox = await startProjectSandbox({ dynamoEndpoint, ...login.options });
 * sandbox.httpApi!.handles('/auth/login'); // true
 */
export async function startLoginExample({ distDir = path.resolve(__dirname, '..', '..', 'dist'), settings = {} }: { distDir?: string; settings?: Record<string, string> } = {}): Promise<LoginExample> {
  const keyStore = await startKeyStore();
  keyStore.values.set(COOKIE_KEYS_PARAMETER, JSON.stringify({ keys: [{ id: 'sandbox-1', secret: randomBytes(32).toString('base64') }], current: 'sandbox-1' }));
  keyStore.values.set(ACCESS_TOKEN_KEY_PARAMETER, randomBytes(32).toString('base64url'));
  const cookieEnv = { [SESSION_COOKIE_KEYS_SSM_PARAMETER.name]: COOKIE_KEYS_PARAMETER, AWS_ENDPOINT_URL_SSM: keyStore.url };
  return {
    keyStore,
    cookieEnv,
    options: {
      authMode: 'jwt',
      // As the module's `jwt` and `session_cookie` inputs set them (main.tf).
      jwt: { JWT_ALGORITHMS: 'HS256', JWT_KEY_SSM_PARAMETER: ACCESS_TOKEN_KEY_PARAMETER, JWT_SESSION_CHECK: 'true', SESSION_COOKIE_CONNECT: 'true', ...settings, ...cookieEnv },
      // Where the key store is: the SDK's endpoint setting, which no module input feeds.
      functionEnv: { authorizer: { AWS_ENDPOINT_URL_SSM: keyStore.url }, message: { AWS_ENDPOINT_URL_SSM: keyStore.url } },
      httpFunctions: {
        'login-api': { source: { zip: path.join(distDir, 'login-api.zip') }, env: { ...settings, ...cookieEnv }, routeKeys: Object.values(ROUTE_KEYS) },
      },
    },
    stop: () => keyStore.close(),
  };
}
