import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ChannelStore } from './channel-store';
import { classifyChannel } from './channels';
import { fingerprint, log } from './log';
import { errorFrame, type RequestId, type ServerFrame } from './protocol';
import { channelKeyOf, groupIdOf, payloadBytes, type PublishRecord, type Target } from './queue-message';
import type { ActionContext, ActionHandler } from './router';
import { sendBatched } from './sqs-batch';
import { nowSeconds } from './time';

/** At most this many log entries are replayed per `subscribe`; `ack.seq` tells the client where the head is. */
export const REPLAY_LIMIT = 1000;

export interface ChannelActionSettings {
  maxPayloadBytes: number;
  /** 0 turns subscriptions off. */
  maxSubscriptions: number;
  /** A subscription lives as long as its connection can: connectedAt + this. */
  connectionTtlSeconds: number;
}

const CHANNEL_RULE = '"channel" must be 1–128 characters of A–Z a–z 0–9 _ . - starting with a letter or digit';

/** Checks a frame's channel for what the action needs; returns an error frame when it does not fit. */
function channelProblem(
  kind: ReturnType<typeof classifyChannel>,
  allowed: ReadonlyArray<ReturnType<typeof classifyChannel>>,
  id: RequestId | undefined,
  action: string,
): ServerFrame | undefined {
  if (allowed.includes(kind)) return undefined;
  if (kind === 'malformed') return errorFrame({ code: 'BAD_MESSAGE', message: CHANNEL_RULE, id });
  if (kind === 'foreign') return errorFrame({ code: 'FORBIDDEN', message: 'that channel belongs to another user or tenant', id });
  if (kind === 'implicit') {
    return errorFrame({ code: action === 'publish' ? 'FORBIDDEN' : 'BAD_MESSAGE', message: `cannot ${action} on an implicit channel (user, tenant, broadcast)`, id });
  }
  return errorFrame({ code: 'BAD_MESSAGE', message: CHANNEL_RULE, id });
}

/**
 * The channel actions of the wire protocol (docs/protocol.md): `subscribe` (with `since` to replay
 * the log), `unsubscribe`, `publish` to a channel and `broadcast` to everyone. Publishing enqueues a
 * `publish` record on the fan-out queue and answers with its message id; bad input is answered
 * with an error frame and changes nothing.
 *
 * @example
 * const actions = { ...builtinActions, ...createChannelActions({ channels, sqs, queueUrl, settings }) };
 */
export function createChannelActions({
  channels,
  sqs,
  queueUrl,
  settings,
}: {
  channels: ChannelStore;
  sqs: SQSClient;
  queueUrl: string;
  settings: ChannelActionSettings;
}): Record<string, ActionHandler> {
  const enqueue = async (target: Target, data: unknown, context: ActionContext, id: RequestId | undefined, action: string): Promise<ServerFrame[]> => {
    if (data === undefined) return [errorFrame({ code: 'BAD_MESSAGE', message: '"data" is required (any JSON value)', id })];
    const bytes = payloadBytes(data);
    if (bytes > settings.maxPayloadBytes) {
      return [errorFrame({ code: 'PAYLOAD_TOO_LARGE', message: `"data" is ${bytes} bytes; at most ${settings.maxPayloadBytes}`, id })];
    }
    const messageId = randomUUID();
    const record: PublishRecord = { v: 1, kind: 'publish', id: messageId, target, data, publishedAt: context.now };
    await sendBatched(sqs, queueUrl, [{ body: JSON.stringify(record), groupId: groupIdOf(channelKeyOf(target)), deduplicationId: messageId }]);
    log({ event: 'client_publish', connectionId: context.connectionId, target: target.type, messageId });
    return [{ type: 'ack', action, ...(id === undefined ? {} : { id }), messageId }];
  };

  return {
    async subscribe(frame, context) {
      const { id, channel, since } = frame;
      const kind = classifyChannel(channel, context.identity);
      const problem = channelProblem(kind, ['subscribable', 'implicit'], id, 'subscribe');
      if (problem) return [problem];
      const name = channel as string;
      if (since !== undefined && (typeof since !== 'number' || !Number.isSafeInteger(since) || since < 0)) {
        return [errorFrame({ code: 'BAD_MESSAGE', message: '"since" must be a whole number ≥ 0 (the last sequence number seen)', id })];
      }
      const head = await channels.head(name);
      if (since !== undefined && since > head) {
        return [errorFrame({ code: 'BAD_MESSAGE', message: `"since" is beyond the channel's last sequence number (${head})`, id })];
      }
      if (kind === 'subscribable') {
        const expiresAt = nowSeconds(context.connectedAt ?? context.now) + settings.connectionTtlSeconds;
        const outcome = await channels.subscribe({ channel: name, connectionId: context.connectionId, expiresAt, maxSubscriptions: settings.maxSubscriptions });
        if (outcome === 'gone') return [];
        if (outcome === 'limit') {
          return [errorFrame({ code: 'RATE_LIMITED', message: `at most ${settings.maxSubscriptions} subscriptions per connection`, id })];
        }
      }
      const frames: ServerFrame[] = [{ type: 'ack', action: 'subscribe', ...(id === undefined ? {} : { id }), channel: name, seq: head }];
      if (since === undefined || since === head) return frames;
      const entries = await channels.readLog(name, since, REPLAY_LIMIT);
      const first = entries[0]?.seq ?? head + 1;
      if (first > since + 1) {
        frames.push(
          errorFrame({ code: 'RESUME_GAP', message: 'the channel log no longer reaches back that far', id, channel: name, lost: { from: since + 1, to: Math.min(first - 1, head) } }),
        );
      }
      for (const entry of entries) frames.push({ type: 'message', channel: name, seq: entry.seq, id: entry.id, data: JSON.parse(entry.payload) as unknown });
      log({ event: 'subscribe', connectionId: context.connectionId, channel: fingerprint(name), since, replayed: entries.length });
      return frames;
    },

    async unsubscribe(frame, context) {
      const { id, channel } = frame;
      const problem = channelProblem(classifyChannel(channel, context.identity), ['subscribable'], id, 'unsubscribe');
      if (problem) return [problem];
      const was = await channels.unsubscribe({ channel: channel as string, connectionId: context.connectionId });
      return [{ type: 'ack', action: 'unsubscribe', ...(id === undefined ? {} : { id }), channel: channel as string, subscribed: was }];
    },

    async publish(frame, context) {
      const { id, channel, data } = frame;
      const problem = channelProblem(classifyChannel(channel, context.identity), ['subscribable'], id, 'publish');
      if (problem) return [problem];
      return enqueue({ type: 'channel', channel: channel as string }, data, context, id, 'publish');
    },

    broadcast(frame, context) {
      return enqueue({ type: 'broadcast' }, frame.data, context, frame.id, 'broadcast');
    },
  };
}
