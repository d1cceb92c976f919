import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChannelHead, ChannelStore } from '../channels/channel-store';
import type { ConnectionStore } from '../store/connection-store';
import type { Ledgers } from './ledger';

/** The fan-out consumer's settings, read once at init (functions/fanout.settings.ts). */
export interface FanoutSettings {
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** Posts in flight per invocation. */
  concurrency: number;
  /** Connection ids per deliver record. */
  chunkSize: number;
  /** The largest audience posted in one hop (never more than `chunkSize`); 0: always deliver records. */
  oneHopMax: number;
  /** Deliver groups per channel. */
  partitions: number;
  /** Tries per post on 429, 5xx or a network error. */
  retryAttempts: number;
  /** The first backoff; each retry doubles the ceiling, and the wait is drawn below it (full jitter). */
  retryBaseMs: number;
  maxPayloadBytes: number;
  /** How long a delivery ledger is kept (the queue's retention). */
  ledgerTtlSeconds: number;
}

/**
 * What the fan-out consumer works with: its clients, its settings and its sources of chance and
 * time. Every step of the pipeline takes the part of it that it uses (`Pick<FanoutContext, …>`).
 *
 * @example
 * const context: FanoutContext = { documents, tableName, sqs, management, channels, forgetConnection, connections, closeSession, settings, random: Math.random, sleep };
 */
export interface FanoutContext extends FanoutDeps {
  /** A number in [0, 1): the jitter of a retry's backoff. */
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * What `createFanout` is given: the context, its sources of chance and time optional. The context
 * extends it, so a call through the context (`context.forgetConnection(…)`) names the member the
 * caller's object literal implements, which is how the build's permission analysis
 * (scripts/sdk-actions.ts) follows it to the AWS calls behind it.
 */
export interface FanoutDeps {
  documents: DynamoDBDocumentClient;
  tableName: string;
  sqs: SQSClient;
  management: ApiGatewayManagementApiClient;
  channels: ChannelStore;
  /** Deletes a connection that is gone (its item and subscriptions). */
  forgetConnection: (connectionId: string) => Promise<void>;
  /** Finds the connections a `disconnect` record names. */
  connections: Pick<ConnectionStore, 'getConnection' | 'listUserConnections'>;
  /** Closes the resumable session of a connection a `disconnect` closes (sessions/session-store.ts `close`). */
  closeSession: (params: { sessionId: string; connectionId: string; reason: string }) => Promise<void>;
  settings: FanoutSettings;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * What the records of one message group, handled in a row within one invocation, may reuse: the
 * channels' heads as last written (kept by the consumer across invocations: a stale one costs the
 * append a retry) and audiences (pages of connection ids, this batch only), by channel key; and
 * the delivery ledgers of the invocation's records, read ahead together, and its one-hop budget.
 */
export interface BatchMemory {
  heads: Map<string, ChannelHead>;
  audiences: Map<string, string[][]>;
  ledgers: Ledgers;
  /** Post round trips the invocation may still spend in one hop, all its groups together (plan.ts `ROUNDS_PER_INVOCATION`). */
  rounds: { left: number };
}
