import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createAnonymousAuthenticator } from './lib/auth/anonymous-mode';
import { toAuthorizerContext, type Identity } from '../packages/contract/src/identity';
import { createJwtAuthenticator } from './lib/auth/jwt-mode';
import { readSessionCheck } from './lib/auth/session-check';
import { createSessionCookieSource } from './lib/auth/session-cookie';
import { createTwoPhaseAuthenticator } from './lib/auth/two-phase-mode';
import { createOriginPolicy, isOriginAllowed } from './lib/auth/origin';
import type { SessionCacheUse, Verdict } from './lib/auth/verdict';
import { readBooleanSetting, readChoiceSetting, readListSetting } from '../packages/contract/src/settings';
import { ALLOWED_ORIGINS, ALLOW_GUESTS, ALLOW_MISSING_ORIGIN, SESSION_COOKIE_CONNECT } from './authorizer.settings';
import { withGuests } from './lib/auth/guests';
import { AUTH_MODE } from './settings/shared';
import { getHeader } from './lib/protocol/headers';
import { readCommonConfig } from './lib/config/init';
import { fingerprint, log } from './lib/log';

readCommonConfig();
const authMode = readChoiceSetting(AUTH_MODE);
const originPolicy = createOriginPolicy(readListSetting(ALLOWED_ORIGINS), readBooleanSetting(ALLOW_MISSING_ORIGIN));
const modeAuthenticator = {
  anonymous: createAnonymousAuthenticator,
  jwt: () => {
    const sessionCheck = readSessionCheck(process.env);
    const sessionCookie = readBooleanSetting(SESSION_COOKIE_CONNECT) ? createSessionCookieSource(process.env, { originPolicy, sessionCheck }) : undefined;
    return createJwtAuthenticator(process.env, { anyOrigin: originPolicy.allowed.has('*'), sessionCheck, sessionCookie });
  },
  'two-phase': createTwoPhaseAuthenticator,
}[authMode]();
const authenticate = authMode !== 'anonymous' && readBooleanSetting(ALLOW_GUESTS) ? withGuests(modeAuthenticator) : modeAuthenticator;

/**
 * The principal of a two-phase connection until it authenticates (API Gateway requires one). An
 * identified connection's principal is its user id's fingerprint: API Gateway may log `principalId`,
 * and an anonymous id is a bearer credential.
 */
const PENDING_PRINCIPAL = 'pending';

/** API Gateway answers 401 when the authorizer throws exactly this message. */
const UNAUTHORIZED = 'Unauthorized';

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string, identity?: Identity): APIGatewayAuthorizerResult => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
  ...(identity ? { context: toAuthorizerContext(identity) } : {}),
});

/** The `sid` check's cache use as EMF counts, so its hit rate is a CloudWatch metric. */
const sessionCacheMetric = (use: SessionCacheUse | undefined) =>
  use === undefined ? undefined : use === 'hit' ? { SessionCheckCacheHits: 1 } : { SessionCheckCacheMisses: 1 };

async function decide(event: APIGatewayRequestAuthorizerEvent): Promise<Verdict> {
  if (!isOriginAllowed(getHeader(event, 'Origin'), originPolicy)) {
    return { allow: false, status: 403, reason: 'origin_not_allowed' };
  }
  return authenticate(event);
}

/**
 * REQUEST authorizer for `$connect`. Rejections: 401 (thrown `Unauthorized`) for missing, malformed or
 * invalid credentials, 403 (Deny policy) for a disallowed origin. Every decision is one log line with
 * a reason; tokens and anonymous ids are never logged.
 */
export const handler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const connectionId = event.requestContext?.connectionId;
  const verdict = await decide(event);
  if (!verdict.allow) {
    const { sessionCache } = verdict;
    log({ event: 'reject', level: 'warn', stage: 'authorizer', reason: verdict.reason, status: verdict.status, connectionId, authMode, ...(sessionCache ? { sessionCache } : {}) }, { Rejects: 1, AuthorizerDenials: 1, ...sessionCacheMetric(sessionCache) });
    if (verdict.status === 401) throw new Error(UNAUTHORIZED);
    return policy('anonymous', 'Deny', event.methodArn);
  }
  if ('pending' in verdict) {
    log({ event: 'authorize', connectionId, authMode, pending: true });
    return { ...policy(PENDING_PRINCIPAL, 'Allow', event.methodArn), context: { authMode } };
  }
  const { sessionCache } = verdict;
  log({ event: 'authorize', connectionId, authMode, user: fingerprint(verdict.identity.userId), ...(sessionCache ? { sessionCache } : {}) }, sessionCacheMetric(sessionCache));
  return policy(fingerprint(verdict.identity.userId), 'Allow', event.methodArn, verdict.identity);
};
