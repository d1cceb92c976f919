/** The fanout function's settings (read at init by fanout.ts; listed in dist/manifest.json by the build). */
import { integer, string } from '../packages/contract/src/settings';
import {
  CHANNEL_LOG_RETENTION_SECONDS,
  COMMON,
  DELIVERY_LEDGER_TTL_SECONDS,
  FANOUT_QUEUE_URL,
  MANAGEMENT_ENDPOINT,
  MAX_PAYLOAD_BYTES,
  SESSION_RESUME_WINDOW_SECONDS,
} from './settings/shared';

export const FANOUT_DLQ_URL = /* @__PURE__ */ string({ name: 'FANOUT_DLQ_URL', required: true, description: 'the FIFO dead-letter queue', terraform: { source: 'the FIFO dead-letter queue `<name>-fanout-dlq.fifo` (`fanout_dlq_url`)' } });
export const FANOUT_CONCURRENCY = /* @__PURE__ */ integer({ name: 'FANOUT_CONCURRENCY', default: 16, min: 1, max: 200, description: 'posts in flight per invocation', terraform: { source: '`fanout.concurrency`', variable: 'fanout.concurrency' } });
export const FANOUT_CHUNK_SIZE = /* @__PURE__ */ integer({ name: 'FANOUT_CHUNK_SIZE', default: 250, min: 1, max: 1000, description: 'connections per deliver record', terraform: { source: '`fanout.chunk_size`', variable: 'fanout.chunk_size' } });
export const FANOUT_ONE_HOP_MAX = /* @__PURE__ */ integer({ name: 'FANOUT_ONE_HOP_MAX', default: 100, min: 0, max: 1000, description: 'the largest audience the planner posts to itself (one hop; at most FANOUT_CHUNK_SIZE); 0: always deliver records', terraform: { source: '`fanout.one_hop_max`', variable: 'fanout.one_hop_max' } });
export const FANOUT_PARTITIONS = /* @__PURE__ */ integer({ name: 'FANOUT_PARTITIONS', default: 8, min: 1, max: 64, description: 'message groups deliver records spread over', terraform: { source: '`fanout.partitions`', variable: 'fanout.partitions' } });
export const FANOUT_RETRY_ATTEMPTS = /* @__PURE__ */ integer({ name: 'FANOUT_RETRY_ATTEMPTS', default: 3, min: 1, max: 10, description: 'attempts of a throttled post', terraform: { source: '`fanout.retry_attempts`', variable: 'fanout.retry_attempts' } });
export const FANOUT_RETRY_BASE_MS = /* @__PURE__ */ integer({ name: 'FANOUT_RETRY_BASE_MS', default: 50, min: 1, max: 10_000, description: "the retries' backoff base (with jitter)" });

export const settings = [
  ...COMMON,
  CHANNEL_LOG_RETENTION_SECONDS,
  DELIVERY_LEDGER_TTL_SECONDS,
  MAX_PAYLOAD_BYTES,
  FANOUT_CONCURRENCY,
  FANOUT_QUEUE_URL,
  FANOUT_DLQ_URL,
  FANOUT_CHUNK_SIZE,
  FANOUT_ONE_HOP_MAX,
  FANOUT_PARTITIONS,
  FANOUT_RETRY_ATTEMPTS,
  FANOUT_RETRY_BASE_MS,
  SESSION_RESUME_WINDOW_SECONDS,
  MANAGEMENT_ENDPOINT,
];
