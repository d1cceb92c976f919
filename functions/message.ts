import { fromAuthorizerContext } from './lib/auth/identity';
import { readInteger, readOptionalString } from './lib/config';
import { connectionStoreFor, createDocumentClient } from './lib/dynamo';
import type { RouteResult, WebSocketEvent } from './lib/events';
import { readCommonConfig } from './lib/init';
import { log } from './lib/log';
import { readPermissions } from './lib/permissions';
import { errorFrame } from './lib/protocol';
import { createPusher, managementClient, managementEndpoint } from './lib/push';
import { countMessage, type RateLimit } from './lib/rate-limit';
import { route } from './lib/router';

const config = readCommonConfig();
const endpointOverride = readOptionalString('MANAGEMENT_ENDPOINT');
const permissions = readPermissions(process.env.ACTION_PERMISSIONS);
const rateLimit: RateLimit = {
  budget: readInteger('MESSAGE_RATE_LIMIT', { default: 100, min: 0, max: 100_000 }),
  windowSeconds: readInteger('MESSAGE_RATE_WINDOW_SECONDS', { default: 10, min: 1, max: 3_600 }),
};
const documents = createDocumentClient();
const store = connectionStoreFor(config, documents);

/**
 * `$default` and custom routes: counts the message against the connection's budget, parses the
 * frame, checks the action's permission, runs it and posts the answer frames through the Management
 * API. Bad input gets `BAD_MESSAGE`, a denied action `FORBIDDEN`, a connection over its budget
 * `RATE_LIMITED` (and at twice the budget it is closed); the connection otherwise stays open.
 */
export const handler = async (event: WebSocketEvent): Promise<RouteResult> => {
  const { connectionId, requestTimeEpoch } = event.requestContext;
  const pusher = createPusher({ client: managementClient(managementEndpoint(event.requestContext, endpointOverride)), store });

  const rate = await countMessage({ client: documents, tableName: config.tableName, connectionId, limit: rateLimit, nowMs: requestTimeEpoch });
  if (rate === 'limited' || rate === 'close') {
    log({ event: 'rate_limited', level: 'warn', connectionId, reason: 'rate_limited', closing: rate === 'close' }, { Rejects: 1 });
    const message = `more than ${rateLimit.budget} messages in ${rateLimit.windowSeconds} s`;
    const sent = await pusher.send({ connectionId, data: errorFrame({ code: 'RATE_LIMITED', message, retryable: true }) });
    if (rate === 'close' && sent === 'sent') await pusher.disconnect({ connectionId });
    return { statusCode: 200 };
  }

  const result = await route(
    event.body,
    { connectionId, identity: fromAuthorizerContext(event.requestContext.authorizer), now: requestTimeEpoch },
    undefined,
    permissions,
  );
  if (result.reason) {
    log({ event: 'rejected_message', level: 'warn', connectionId, action: result.action, reason: result.reason, detail: result.rejected }, { BadMessages: 1 });
  } else {
    log({ event: 'message', level: 'debug', connectionId, action: result.action });
  }
  for (const frame of result.frames) {
    if ((await pusher.send({ connectionId, data: frame })) === 'gone') break;
  }
  return { statusCode: 200 };
};
