import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { log } from '../../../functions/lib/log';
import { createDocumentClient } from '../../../functions/lib/store/dynamo';
import { readStringSetting } from '../../../packages/contract/src/settings';
import { createPublisher } from '../../../packages/publisher/src';
import { closeSocketsOnSessionEnd } from '../../../packages/sessions/src/close-sockets';
import { sessionCookies } from '../../../packages/sessions/src/cookie/session-cookies';
import { LoginCoordinator } from '../../../packages/sessions/src/login/coordinator';
import { readLoginSettings, readTotpWindowSteps } from '../../../packages/sessions/src/login/settings';
import { createTotpFactor } from '../../../packages/sessions/src/login/totp-factor';
import { createSessionService } from '../../../packages/sessions/src/service';
import { readSessionSettings } from '../../../packages/sessions/src/settings';
import { checkDemoCredentials, demoTotpSecret } from './demo-accounts';
import { json, type HttpResponse } from './http';
import { FANOUT_QUEUE_URL, TABLE_NAME } from './login-api.settings';
import { refusal, ROUTE_KEYS, ROUTES, type LoginApi, type RouteName } from './routes';

// Once per container: a bad setting fails the init with a ConfigError naming it.
const tableName = readStringSetting(TABLE_NAME);
const client = createDocumentClient();
const sessions = createSessionService({ tableName, client, settings: readSessionSettings() });
const api: LoginApi = {
  sessions,
  cookies: sessionCookies(),
  coordinator: new LoginCoordinator({
    client,
    tableName,
    checkCredentials: checkDemoCredentials,
    sessions,
    secondFactor: createTotpFactor({ client, tableName, secretFor: demoTotpSecret, windowSteps: readTotpWindowSteps() }),
    settings: readLoginSettings(),
  }),
  now: Date.now,
};
// Eviction (a sixth login), logout and logout everywhere close the ended sessions' live sockets:
// a disconnect record each through the fan-out queue, sent before the handler returns.
const closing = closeSocketsOnSessionEnd(sessions, createPublisher({ queueUrl: readStringSetting(FANOUT_QUEUE_URL) }));

const BY_KEY = new Map(Object.entries(ROUTE_KEYS).map(([name, key]) => [key, name as RouteName]));

/**
 * The login example's HTTP API (payload v2.0): one function behind every route of ../routes.json,
 * each route a function of routes.ts. Refusals are 4xx JSON; anything else is logged and a 500.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
  const name = BY_KEY.get(event.routeKey);
  if (!name) return json(404, { error: 'NOT_FOUND', message: `no route ${event.routeKey}` });
  try {
    return await ROUTES[name](api, event);
  } catch (error) {
    const refused = refusal(error);
    if (refused) return refused;
    log({ level: 'error', event: 'login_api_failed', route: name, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return json(500, { error: 'INTERNAL', requestId: event.requestContext.requestId });
  } finally {
    await closing.settled();
    sessions.flushMetrics();
  }
};
