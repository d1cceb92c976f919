import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { withRequestTimeouts } from './lib/config/aws-client';
import { createChannelStore } from './lib/channels/channel-store';
import { readChannelConfig } from './lib/channels/channel-config';
import { readIntegerSetting, readStringSetting } from '../packages/contract/src/settings';
import { FANOUT_CHUNK_SIZE, FANOUT_CONCURRENCY, FANOUT_DLQ_URL, FANOUT_ONE_HOP_MAX, FANOUT_PARTITIONS, FANOUT_RETRY_ATTEMPTS, FANOUT_RETRY_BASE_MS } from './fanout.settings';
import { FANOUT_QUEUE_URL, MANAGEMENT_ENDPOINT, SESSION_RESUME_WINDOW_SECONDS } from './settings/shared';
import { connectionStoreFor, createDocumentClient } from './lib/store/dynamo';
import { createFanout } from './lib/delivery/fanout';
import { readCommonConfig } from './lib/config/init';
import { removeConnection } from './lib/sessions/remove-connection';
import { createSessionStore } from './lib/sessions/session-store';
import { nowSeconds } from './lib/time';

const config = readCommonConfig();
const channelConfig = readChannelConfig();
const concurrency = readIntegerSetting(FANOUT_CONCURRENCY);
const settings = {
  queueUrl: readStringSetting(FANOUT_QUEUE_URL) as string,
  deadLetterQueueUrl: readStringSetting(FANOUT_DLQ_URL) as string,
  concurrency,
  chunkSize: readIntegerSetting(FANOUT_CHUNK_SIZE),
  oneHopMax: readIntegerSetting(FANOUT_ONE_HOP_MAX),
  partitions: readIntegerSetting(FANOUT_PARTITIONS),
  retryAttempts: readIntegerSetting(FANOUT_RETRY_ATTEMPTS),
  retryBaseMs: readIntegerSetting(FANOUT_RETRY_BASE_MS),
  maxPayloadBytes: channelConfig.maxPayloadBytes,
  ledgerTtlSeconds: channelConfig.markerTtlSeconds,
};
const documents = createDocumentClient();
const store = connectionStoreFor(config, documents);
const channels = createChannelStore({ client: documents, tableName: config.tableName, ...channelConfig });
// A connection found gone (410) makes its session resumable: the sweeper purges it at the window's end.
const sessions = {
  store: createSessionStore({ client: documents, tableName: config.tableName }),
  resumeWindowSeconds: readIntegerSetting(SESSION_RESUME_WINDOW_SECONDS),
};
// No event carries the stage's domain here: the endpoint is a setting. Retries are ours (backoff
// with jitter, then SQS redelivery), and the socket pool matches the posts in flight (the SDK's
// default is 50 sockets, which would queue posts past that silently).
const agent = { keepAlive: true, maxSockets: concurrency };
const management = new ApiGatewayManagementApiClient(
  withRequestTimeouts({
    endpoint: readStringSetting(MANAGEMENT_ENDPOINT) as string,
    maxAttempts: 1,
    requestHandler: { httpAgent: agent, httpsAgent: agent },
  }),
);
const fanout = createFanout({
  documents,
  tableName: config.tableName,
  sqs: new SQSClient(withRequestTimeouts({})),
  management,
  channels,
  forgetConnection: async (connectionId) => {
    await removeConnection({ store, channels, sessions }, connectionId);
  },
  connections: store,
  // Kept for the resume window, so a resume of it within the window is refused with the reason.
  closeSession: async ({ sessionId, connectionId, reason }) => {
    await sessions.store.close({ sessionId, connectionId, reason, expiresAt: nowSeconds() + sessions.resumeWindowSeconds });
  },
  settings,
});

/**
 * The fan-out queue's consumer (an SQS event source mapping with `ReportBatchItemFailures`): plans
 * `publish` records into `deliver` records and posts those to their connections, and closes the
 * connections `disconnect` records name. See docs/fanout.md.
 */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => fanout.handle(event);
