import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { readAnonymousId } from './lib/auth/anonymous';
import { AUTH_MODES, toAuthorizerContext, type Identity } from './lib/auth/identity';
import { createOriginPolicy, isOriginAllowed } from './lib/auth/origin';
import { readBoolean, readChoice, readList } from './lib/config';
import { getHeader } from './lib/headers';
import { readCommonConfig } from './lib/init';
import { fingerprint, log } from './lib/log';

readCommonConfig();
const authMode = readChoice('AUTH_MODE', AUTH_MODES, undefined);
const originPolicy = createOriginPolicy(readList('ALLOWED_ORIGINS'), readBoolean('ALLOW_MISSING_ORIGIN', true));

/** API Gateway answers 401 when the authorizer throws exactly this message. */
const UNAUTHORIZED = 'Unauthorized';

type Verdict = { allow: true; identity: Identity } | { allow: false; status: 401 | 403; reason: string };

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string, identity?: Identity): APIGatewayAuthorizerResult => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
  ...(identity ? { context: toAuthorizerContext(identity) } : {}),
});

function decide(event: APIGatewayRequestAuthorizerEvent): Verdict {
  if (!isOriginAllowed(getHeader(event, 'Origin'), originPolicy)) {
    return { allow: false, status: 403, reason: 'origin_not_allowed' };
  }
  switch (authMode) {
    case 'anonymous': {
      const result = readAnonymousId(getHeader(event, 'Sec-WebSocket-Protocol'));
      if (!result.ok) return { allow: false, status: 401, reason: result.reason };
      return { allow: true, identity: { userId: result.userId, authMode } };
    }
  }
}

/**
 * REQUEST authorizer for `$connect`. Rejections: 401 (thrown `Unauthorized`) for missing or malformed
 * credentials, 403 (Deny policy) for a disallowed origin. Every decision is one log line with a reason.
 */
export const handler = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const connectionId = event.requestContext?.connectionId;
  const verdict = decide(event);
  if (!verdict.allow) {
    log({ event: 'reject', level: 'warn', stage: 'authorizer', reason: verdict.reason, status: verdict.status, connectionId, authMode }, { Rejects: 1 });
    if (verdict.status === 401) throw new Error(UNAUTHORIZED);
    return policy('anonymous', 'Deny', event.methodArn);
  }
  log({ event: 'authorize', connectionId, authMode, user: fingerprint(verdict.identity.userId) });
  return policy(verdict.identity.userId, 'Allow', event.methodArn, verdict.identity);
};
