import { fromAuthorizerContext } from './lib/auth/identity';
import { readOptionalString } from './lib/config';
import type { RouteResult, WebSocketEvent } from './lib/events';
import { connectionStoreFor } from './lib/dynamo';
import { readCommonConfig } from './lib/init';
import { log } from './lib/log';
import { createPusher, managementClient, managementEndpoint } from './lib/push';
import { route } from './lib/router';

const config = readCommonConfig();
const endpointOverride = readOptionalString('MANAGEMENT_ENDPOINT');
const store = connectionStoreFor(config);

/**
 * `$default` and custom routes: parses the frame, runs its action and posts the answer frames through
 * the Management API. Bad input gets a `BAD_MESSAGE` frame; the connection stays open.
 */
export const handler = async (event: WebSocketEvent): Promise<RouteResult> => {
  const { connectionId, requestTimeEpoch } = event.requestContext;
  const result = await route(event.body, {
    connectionId,
    identity: fromAuthorizerContext(event.requestContext.authorizer),
    now: requestTimeEpoch,
  });
  if (result.rejected) {
    log({ event: 'bad_message', level: 'warn', connectionId, reason: 'bad_message', detail: result.rejected }, { BadMessages: 1 });
  } else {
    log({ event: 'message', level: 'debug', connectionId, action: result.action });
  }
  const pusher = createPusher({ client: managementClient(managementEndpoint(event.requestContext, endpointOverride)), store });
  for (const frame of result.frames) {
    if ((await pusher.send({ connectionId, data: frame })) === 'gone') break;
  }
  return { statusCode: 200 };
};
