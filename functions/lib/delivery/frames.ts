import { errorFrame, type ErrorFrame } from '../../../packages/contract/src/frames';

/**
 * The frame a channel message is posted as; `data` is the published JSON text, untouched. Without a
 * channel (a message to one connection) it has no `channel` and no `seq`.
 *
 * @example
 * messageFrame({ channel: 'news', seq: 3, id: 'm-1', payload: '{"a":1}' });
 * // '{"type":"message","channel":"news","seq":3,"id":"m-1","data":{"a":1}}'
 */
export function messageFrame({ channel, seq, id, payload }: { channel?: string; seq?: number; id: string; payload: string }): string {
  const head = channel === undefined ? '' : `"channel":${JSON.stringify(channel)},"seq":${seq},`;
  return `{"type":"message",${head}"id":${JSON.stringify(id)},"data":${payload}}`;
}

/**
 * A RESUME_GAP frame naming the sequence numbers `from`…`to` of a channel the connection will not get.
 *
 * @example
 * gapFrame('news', 4, 4, 'the message is too large to deliver');
 */
export const gapFrame = (channel: string, from: number, to: number, message: string, id?: ErrorFrame['id']): string =>
  JSON.stringify(errorFrame({ code: 'RESUME_GAP', message, id, channel, lost: { from, to } }));

/**
 * The sequence number of a channel's message frame (as `messageFrame` writes it); undefined for any
 * other frame.
 *
 * @example
 * seqOf(messageFrame({ channel: 'news', seq: 3, id: 'm-1', payload: '1' })); // 3
 */
export const seqOf = (frame: string): number | undefined => {
  const match = /^\{"type":"message","channel":(?:"(?:[^"\\]|\\.)*"),"seq":(\d+),/.exec(frame);
  return match ? Number(match[1]) : undefined;
};

/**
 * The message id a channel message frame carries (as `messageFrame` writes it); undefined for any
 * other frame (an ack, a RESUME_GAP).
 *
 * @example
 * messageIdOf(messageFrame({ channel: 'news', seq: 3, id: 'm-1', payload: '1' })); // 'm-1'
 */
export const messageIdOf = (frame: string): string | undefined => {
  if (!frame.startsWith('{"type":"message",')) return undefined;
  const id = (JSON.parse(frame) as { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
};
