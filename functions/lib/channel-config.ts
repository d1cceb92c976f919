import { readInteger } from './config';

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
    retentionSeconds: readInteger('CHANNEL_LOG_RETENTION_SECONDS', { default: 3600, min: 60, max: 1_209_600 }, env),
    markerTtlSeconds: readInteger('DELIVERY_LEDGER_TTL_SECONDS', { default: 345_600, min: 60, max: 1_209_600 }, env),
    maxPayloadBytes: readInteger('MAX_PAYLOAD_BYTES', { default: 32_768, min: 1, max: 120_000 }, env),
  };
}
