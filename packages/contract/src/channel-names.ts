import { ID_PATTERN, type Identity } from './identity';

/** Channels clients name themselves: no `:` (the implicit channels have one), at most 128 characters. */
export const CLIENT_CHANNEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Every authenticated connection is in this channel. */
export const BROADCAST_CHANNEL = 'broadcast:all';
export const userChannel = (userId: string): string => `user:${userId}`;
export const tenantChannel = (tenantId: string): string => `tenant:${tenantId}`;

/** The channels a connection is in without subscribing: its user's, its tenant's and everyone's. */
export function implicitChannels(identity: Identity): string[] {
  return [userChannel(identity.userId), ...(identity.tenantId === undefined ? [] : [tenantChannel(identity.tenantId)]), BROADCAST_CHANNEL];
}

/**
 * What a channel name in a client's frame is to that client:
 * - `subscribable`: a channel of its own choosing;
 * - `implicit`: its user's, its tenant's or the broadcast channel (already joined; `since` replays it);
 * - `foreign`: another user's or tenant's channel, `user:{id}` or `tenant:{id}` of an id an identity may hold (FORBIDDEN);
 * - `malformed`: anything else (BAD_MESSAGE).
 */
export function classifyChannel(channel: unknown, identity: Identity | undefined): 'subscribable' | 'implicit' | 'foreign' | 'malformed' {
  if (typeof channel !== 'string') return 'malformed';
  if (CLIENT_CHANNEL_PATTERN.test(channel)) return 'subscribable';
  if (identity && implicitChannels(identity).includes(channel)) return 'implicit';
  const implicit = /^(user|tenant):(.*)$/su.exec(channel);
  if (implicit && ID_PATTERN.test(implicit[2]!)) return 'foreign';
  return 'malformed';
}
