import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { cookieAttributes, serializeCookie, type CookieAttributes } from '../../../packages/sessions/src/cookie/attributes';
import { cookieValues } from '../../../packages/sessions/src/cookie/request';
import type { SessionCookies } from '../../../packages/sessions/src/cookie/session-cookies';
import type { LoginCoordinator } from '../../../packages/sessions/src/login/coordinator';
import { LoginError, LockedOutError } from '../../../packages/sessions/src/login/errors';
import { InvalidRefreshTokenError, SessionValidationError } from '../../../packages/sessions/src/errors';
import type { SessionService } from '../../../packages/sessions/src/service';
import type { StartLoginInput } from '../../../packages/sessions/src/login/input';
import type { SessionCreateResult } from '../../../packages/sessions/src/login/types';
import type { UserSession } from '../../../packages/sessions/src/types';
import ROUTE_KEYS from '../routes.json';
import { BadRequestError, deviceOf, json, jsonBody, type HttpResponse } from './http';

export type RouteName = keyof typeof ROUTE_KEYS;
export { ROUTE_KEYS };

/** What the routes work with: created once per container by login-api.ts. */
export interface LoginApi {
  coordinator: Pick<LoginCoordinator, 'startLogin' | 'verifyMfa' | 'completeMfa'>;
  sessions: Pick<SessionService, 'get' | 'list' | 'refresh' | 'delete' | 'deleteAll' | 'trustDevice'>;
  cookies: SessionCookies;
  /** Epoch ms. */
  now: () => number;
}

/**
 * The refresh token's cookie: sent to the refresh route only (its `Path`), never to a script or another
 * site. It is the session service's own token (rotated on every use, reuse revokes the session).
 */
export const REFRESH_COOKIE: CookieAttributes = cookieAttributes({ name: '__Secure-refresh', sameSite: 'Strict', path: ROUTE_KEYS.refresh.split(' ')[1]! });

const epochSeconds = (ms: number): number => Math.floor(ms / 1000);

/** The session's two cookies: the sealed reference (what the WebSocket's `$connect` reads) and the refresh token. */
async function sessionCookies(api: LoginApi, session: { userId: string; sessionId: string; expiresAt: number }, refreshToken: string): Promise<string[]> {
  const expiresAt = epochSeconds(session.expiresAt);
  return [
    await api.cookies.write({ userId: session.userId, sessionId: session.sessionId, expiresAt }),
    serializeCookie(REFRESH_COOKIE, refreshToken, Math.max(0, expiresAt - epochSeconds(api.now()))),
  ];
}

const clearCookies = (api: LoginApi): string[] => [api.cookies.clear(), serializeCookie(REFRESH_COOKIE, '', 0)];

async function signedIn(api: LoginApi, created: SessionCreateResult): Promise<HttpResponse> {
  const { session, refreshToken, evicted } = created;
  return json(200, { status: 'SESSION_CREATED', userId: session.userId, sessionId: session.sessionId, expiresAt: session.expiresAt, evicted: evicted.length }, await sessionCookies(api, session, refreshToken));
}

/** The request's live session, from its cookie; `undefined` when there is none (no cookie, refused, or the session ended). */
async function currentSession(api: LoginApi, event: APIGatewayProxyEventV2): Promise<UserSession | undefined> {
  const found = await api.cookies.read(event);
  if (!found.ok) return undefined;
  return api.sessions.get({ userId: found.session.userId, sessionId: found.session.sessionId });
}

const signedOut = (api: LoginApi): HttpResponse => json(401, { error: 'NOT_SIGNED_IN', message: 'no live session: sign in' }, clearCookies(api));

/** A device as the list shows it: no refresh token hash, no version. */
const deviceView = (session: UserSession, current: string) => ({
  sessionId: session.sessionId,
  current: session.sessionId === current,
  device: session.device,
  trusted: session.trusted,
  mfa: session.mfa.status,
  createdAt: session.createdAt,
  lastUsedAt: session.lastUsedAt,
  expiresAt: session.expiresAt,
});

type Route = (api: LoginApi, event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

/** The HTTP API's routes, by name (their route keys: ../routes.json, which the Terraform reads too). */
export const ROUTES: Record<RouteName, Route> = {
  async login(api, event) {
    const { email, password, staySignedIn } = jsonBody(event);
    const device = deviceOf(event);
    const { ip, ...named } = device;
    // The coordinator checks every field (LoginInputError, a 400 naming it): the cast only hands the body on.
    const input = { email, password, ip, device: named, ...(staySignedIn === undefined ? {} : { staySignedIn }) } as StartLoginInput;
    const result = await api.coordinator.startLogin(input);
    if (result.status === 'MFA_REQUIRED') {
      return json(200, { status: 'MFA_REQUIRED', flowId: result.mfaFlowId, method: result.method, expiresAtMs: result.expiresAtMs });
    }
    return signedIn(api, result);
  },

  async verifyCode(api, event) {
    const { flowId, code } = jsonBody(event);
    const input = { flowId, code } as { flowId: string; code: string };
    await api.coordinator.verifyMfa(input);
    return signedIn(api, await api.coordinator.completeMfa({ flowId: input.flowId }));
  },

  async refresh(api, event) {
    const tokens = cookieValues(event, REFRESH_COOKIE.name);
    if (tokens.length !== 1) return signedOut(api);
    try {
      const { session, refreshToken } = await api.sessions.refresh(tokens[0]!);
      return json(200, { status: 'REFRESHED', sessionId: session.sessionId, expiresAt: session.expiresAt }, await sessionCookies(api, session, refreshToken));
    } catch (error) {
      if (error instanceof InvalidRefreshTokenError || error instanceof SessionValidationError) return signedOut(api);
      throw error;
    }
  },

  async logout(api, event) {
    const session = await currentSession(api, event);
    if (session) await api.sessions.delete({ userId: session.userId, sessionId: session.sessionId });
    return json(200, { status: 'SIGNED_OUT', sessions: session ? 1 : 0 }, clearCookies(api));
  },

  async logoutEverywhere(api, event) {
    const session = await currentSession(api, event);
    if (!session) return signedOut(api);
    const deleted = await api.sessions.deleteAll(session.userId);
    return json(200, { status: 'SIGNED_OUT', sessions: deleted.length }, clearCookies(api));
  },

  async devices(api, event) {
    const session = await currentSession(api, event);
    if (!session) return signedOut(api);
    const sessions = await api.sessions.list(session.userId);
    return json(200, { userId: session.userId, devices: sessions.map((each) => deviceView(each, session.sessionId)) });
  },

  async trustDevice(api, event) {
    const session = await currentSession(api, event);
    if (!session) return signedOut(api);
    const trusted = await api.sessions.trustDevice({ userId: session.userId, sessionId: session.sessionId });
    return json(200, deviceView(trusted, session.sessionId));
  },
};

/**
 * A refusal as the client sees it: the caller's mistakes and failed logins are 4xx with a code, never
 * an exception for API Gateway to turn into a 500. Anything else is thrown on (a 500, logged).
 */
export function refusal(error: unknown): HttpResponse | undefined {
  if (error instanceof BadRequestError) return json(400, { error: 'BAD_REQUEST', message: error.message });
  if (error instanceof SessionValidationError) return json(400, { error: 'BAD_REQUEST', message: error.message });
  if (error instanceof LockedOutError) return json(429, { error: error.code, retryAfterSeconds: error.retryAfterSeconds }, [], { 'retry-after': String(error.retryAfterSeconds) });
  if (error instanceof LoginError) {
    const status = error.code === 'INVALID_INPUT' ? 400 : error.code === 'INVALID_CREDENTIALS' || error.code === 'INVALID_CODE' || error.code === 'REPLAYED_CODE' ? 401 : 409;
    // A wrong password and an unknown email read alike; the input rule is the caller's to see.
    return json(status, { error: error.code, ...(error.code === 'INVALID_INPUT' ? { message: error.message } : {}) });
  }
  return undefined;
}
