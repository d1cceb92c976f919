import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ChannelStore, SubscribeResult } from './channel-store';
import { classifyChannel } from '../../../packages/contract/src/channel-names';
import { fingerprint, log } from '../log';
import { errorFrame, type RequestId, type ServerFrame } from '../../../packages/contract/src/frames';
import { channelKeyOf, groupIdOf, joinEntry, payloadBytes, type JoinRecord, type PublishRecord, type Target } from '../../../packages/contract/src/queue-message';
import type { ActionContext, ActionHandler } from '../protocol/router';
import { QueueUnavailableError } from '../errors';
import { sendBatched } from '../../../packages/contract/src/sqs-batch';
import { nowSeconds } from '../time';

export interface ChannelActionSettings {
  maxPayloadBytes: number;
  /** 0 turns subscriptions off. */
  maxSubscriptions: number;
  /** A subscription lives as long as its connection can: connectedAt + this. */
  connectionTtlSeconds: number;
  /** Log entries one request may replay (`REPLAY_MAX_MESSAGES`); a RESUME_GAP names the rest. */
  replayLimit: number;
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
    try {
      await sendBatched(sqs, queueUrl, [{ body: JSON.stringify(record), groupId: groupIdOf(channelKeyOf(target)), deduplicationId: messageId }]);
    } catch (error) {
      // Nothing was queued: the router answers INTERNAL (retryable) and the function logs the error.
      throw new QueueUnavailableError('the message could not be queued', { cause: error });
    }
    log({ event: 'client_publish', connectionId: context.connectionId, target: target.type, messageId });
    return [{ type: 'ack', action, ...(id === undefined ? {} : { id }), messageId }];
  };

  return {
    // The subscription is written first (so the cap and an `unsubscribe` after it answer at once), then
    // a join goes into the channel's group, handled in order with the channel's publishes: the planner
    // reads the head there and sends the ack (then the replay after `since`) ahead of every message
    // planned after it, whose audience read comes after the subscription. So after an ack with seq N
    // the client gets N+1, N+2, … (docs/fanout.md, "Subscribing").
    async subscribe(frame, context) {
      const { id, channel, since } = frame;
      const kind = classifyChannel(channel, context.identity);
      const problem = channelProblem(kind, ['subscribable', 'implicit'], id, 'subscribe');
      if (problem) return [problem];
      const name = channel as string;
      if (since !== undefined && (typeof since !== 'number' || !Number.isSafeInteger(since) || since < 0)) {
        return [errorFrame({ code: 'BAD_MESSAGE', message: '"since" must be a whole number ≥ 0 (the last sequence number seen)', id })];
      }
      if (since !== undefined) {
        const head = await channels.head(name);
        if (since > head) return [errorFrame({ code: 'BAD_MESSAGE', message: `"since" is beyond the channel's last sequence number (${head})`, id })];
      }
      const expiresAt = nowSeconds(context.connectedAt ?? context.now) + settings.connectionTtlSeconds;
      let outcome: SubscribeResult | undefined;
      if (kind === 'subscribable') {
        outcome = await channels.subscribe({ channel: name, connectionId: context.connectionId, expiresAt, maxSubscriptions: settings.maxSubscriptions });
        if (outcome === 'gone') return [];
        if (outcome === 'limit') return [errorFrame({ code: 'RATE_LIMITED', message: `at most ${settings.maxSubscriptions} subscriptions per connection`, id })];
      }
      const join: JoinRecord = {
        v: 1,
        kind: 'join',
        id: randomUUID(),
        connectionId: context.connectionId,
        channel: name,
        ...(since === undefined ? {} : { after: since }),
        subscribe: false,
        expiresAt,
        maxSubscriptions: settings.maxSubscriptions,
        limit: settings.replayLimit,
        ack: id === undefined ? {} : { id },
      };
      try {
        await sendBatched(sqs, queueUrl, [joinEntry(join)]);
      } catch (error) {
        // Nothing half-done: a subscription this request wrote goes again, and the client may retry.
        if (outcome === 'subscribed') await channels.unsubscribe({ channel: name, connectionId: context.connectionId });
        throw new QueueUnavailableError('the subscription could not be queued', { cause: error });
      }
      log({ event: 'subscribe', connectionId: context.connectionId, channel: fingerprint(name), since, outcome });
      return [];
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
