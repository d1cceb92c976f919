import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { withRequestTimeouts } from './lib/aws-client';
import { createChannelStore } from './lib/channel-store';
import { readChannelConfig } from './lib/channel-config';
import { readInteger, readString } from './lib/config';
import { connectionStoreFor, createDocumentClient } from './lib/dynamo';
import { createFanout } from './lib/fanout';
import { readCommonConfig } from './lib/init';
import { removeConnection } from './lib/remove-connection';
import { createSessionStore } from './lib/sessions';

const config = readCommonConfig();
const channelConfig = readChannelConfig();
const concurrency = readInteger('FANOUT_CONCURRENCY', { default: 16, min: 1, max: 200 });
const settings = {
  queueUrl: readString('FANOUT_QUEUE_URL'),
  deadLetterQueueUrl: readString('FANOUT_DLQ_URL'),
  concurrency,
  chunkSize: readInteger('FANOUT_CHUNK_SIZE', { default: 100, min: 1, max: 1000 }),
  partitions: readInteger('FANOUT_PARTITIONS', { default: 8, min: 1, max: 64 }),
  retryAttempts: readInteger('FANOUT_RETRY_ATTEMPTS', { default: 3, min: 1, max: 10 }),
  retryBaseMs: readInteger('FANOUT_RETRY_BASE_MS', { default: 50, min: 1, max: 10_000 }),
  maxPayloadBytes: channelConfig.maxPayloadBytes,
  ledgerTtlSeconds: channelConfig.markerTtlSeconds,
};
const documents = createDocumentClient();
const store = connectionStoreFor(config, documents);
const channels = createChannelStore({ client: documents, tableName: config.tableName, ...channelConfig });
// A connection found gone (410) makes its session resumable: the sweeper purges it at the window's end.
const sessions = {
  store: createSessionStore({ client: documents, tableName: config.tableName }),
  resumeWindowSeconds: readInteger('SESSION_RESUME_WINDOW_SECONDS', { default: 120, min: 1, max: 86_400 }),
};
// No event carries the stage's domain here: the endpoint is a setting. Retries are ours (backoff
// with jitter, then SQS redelivery), and the socket pool matches the posts in flight (the SDK's
// default is 50 sockets, which would queue posts past that silently).
const agent = { keepAlive: true, maxSockets: concurrency };
const management = new ApiGatewayManagementApiClient(
  withRequestTimeouts({
    endpoint: readString('MANAGEMENT_ENDPOINT'),
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
  settings,
});

/**
 * The fan-out queue's consumer (an SQS event source mapping with `ReportBatchItemFailures`): plans
 * `publish` records into `deliver` records and posts those to their connections. See docs/fanout.md.
 */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => fanout.handle(event);
