import type { Identity } from './auth/identity';
import { errorFrame, parseClientFrame, type ClientFrame, type ServerFrame } from './protocol';

/** What an action handler knows about the request it serves. */
export interface ActionContext {
  connectionId: string;
  /** Absent only when the stage runs without an authorizer. */
  identity?: Identity;
  /** Request time, epoch milliseconds. */
  now: number;
}

/** An action handler returns the frames to post back to the calling connection. */
export type ActionHandler = (frame: ClientFrame, context: ActionContext) => Promise<ServerFrame[]> | ServerFrame[];

export const builtinActions: Record<string, ActionHandler> = {
  ping: (frame, { now }) => [frame.id === undefined ? { type: 'pong', ts: now } : { type: 'pong', id: frame.id, ts: now }],
};

/**
 * Routes a MESSAGE body to its action handler. Bad input is answered with a `BAD_MESSAGE` frame and
 * nothing else happens; the connection stays open.
 *
 * @example
 * const frames = await route('{"action":"ping"}', { connectionId, now: Date.now() });
 */
export async function route(
  body: string | null | undefined,
  context: ActionContext,
  actions: Record<string, ActionHandler> = builtinActions,
): Promise<{ frames: ServerFrame[]; action?: string; rejected?: string }> {
  const parsed = parseClientFrame(body);
  if (!parsed.ok) return { frames: [parsed.error], rejected: parsed.error.message };
  const { frame } = parsed;
  const handler = Object.hasOwn(actions, frame.action) ? actions[frame.action] : undefined;
  if (!handler) {
    const message = `unknown action "${frame.action}"`;
    return { frames: [errorFrame({ code: 'BAD_MESSAGE', message, id: frame.id })], action: frame.action, rejected: message };
  }
  return { frames: await handler(frame, context), action: frame.action };
}
