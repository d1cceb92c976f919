import { offeredProtocols } from '../protocol/headers';

/**
 * Anonymous ids: what `crypto.randomUUID()` makes, and any other 16–128 characters of `A–Z a–z 0–9 _ -`
 * (a subprotocol must be an HTTP token; the lower bound keeps ids unguessable in practice).
 */
export const ANONYMOUS_ID_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export type AnonymousIdResult = { ok: true; userId: string } | { ok: false; reason: 'no_subprotocol' | 'multiple_subprotocols' | 'malformed_anonymous_id' };

/**
 * Reads the anonymous id a client offers as its only subprotocol (`new WebSocket(url, userId)`, as in
 * the AWS sample). The same id is echoed back by `$connect`.
 *
 * @example
 * readAnonymousId('739bb5b7-3236-4cbd-8132-b281bbe83b42'); // { ok: true, userId: '739bb5b7-…' }
 */
export function readAnonymousId(protocolHeader: string | undefined): AnonymousIdResult {
  const offered = offeredProtocols(protocolHeader);
  if (offered.length === 0) return { ok: false, reason: 'no_subprotocol' };
  if (offered.length > 1) return { ok: false, reason: 'multiple_subprotocols' };
  const [userId] = offered as [string];
  if (!ANONYMOUS_ID_PATTERN.test(userId)) return { ok: false, reason: 'malformed_anonymous_id' };
  return { ok: true, userId };
}
