import { readIntegerSetting } from '../../../packages/contract/src/settings';
import { CHANNEL_LOG_RETENTION_SECONDS, DELIVERY_LEDGER_TTL_SECONDS, MAX_PAYLOAD_BYTES } from '../../settings/shared';

/** Settings shared by the functions that publish to channels and read their logs. */
export interface ChannelConfig {
  /** How long a channel's log keeps a message, seconds. */
  retentionSeconds: number;
  /** How long message ids and delivery ledgers are remembered: at least the queue's retention. */
  markerTtlSeconds: number;
  /** Serialized `data` of one message, bytes. */
  maxPayloadBytes: number;
}

/** Reads CHANNEL_LOG_RETENTION_SECONDS, DELIVERY_LEDGER_TTL_SECONDS and MAX_PAYLOAD_BYTES (range-checked). */
export function readChannelConfig(env: Record<string, string | undefined> = process.env): ChannelConfig {
  return {
    retentionSeconds: readIntegerSetting(CHANNEL_LOG_RETENTION_SECONDS, env),
    markerTtlSeconds: readIntegerSetting(DELIVERY_LEDGER_TTL_SECONDS, env),
    maxPayloadBytes: readIntegerSetting(MAX_PAYLOAD_BYTES, env),
  };
}
