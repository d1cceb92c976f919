import type { LogEntry } from '../../functions/lib/log';
import { SessionEvent, SessionEventEmitter } from '../../packages/sessions/src';
import { documentedSessionEvents } from '../helpers/session-events-doc';

const created = { userId: 'u', sessionId: 's', createdAt: 1, expiresAt: 2, staySignedIn: false, trusted: false, mfa: 'not_required' as const };

describe('session service events', () => {
  it('are each listed in the events table of packages/sessions/README.md, and no other', () => {
    expect(documentedSessionEvents().map((row) => row.name)).toEqual(Object.values(SessionEvent));
  });

  it('reach every listener in order, once-listeners once, even after one throws, which is logged', () => {
    const logged: LogEntry[] = [];
    const events = new SessionEventEmitter((entry) => logged.push(entry));
    const heard: string[] = [];
    events.on(SessionEvent.SESSION_CREATED, () => heard.push('first'));
    events.on(SessionEvent.SESSION_CREATED, () => {
      throw new TypeError('broken listener');
    });
    events.once(SessionEvent.SESSION_CREATED, ({ sessionId }) => heard.push(`once ${sessionId}`));
    events.notify(SessionEvent.SESSION_CREATED, created);
    events.notify(SessionEvent.SESSION_CREATED, created);
    expect(heard).toEqual(['first', 'once s', 'first']);
    expect(logged).toEqual([
      { event: 'session_event_listener_failed', level: 'error', reason: 'listener_threw', sessionEvent: 'SESSION_CREATED', error: 'broken listener' },
      { event: 'session_event_listener_failed', level: 'error', reason: 'listener_threw', sessionEvent: 'SESSION_CREATED', error: 'broken listener' },
    ]);
    expect(events.listenerCount(SessionEvent.SESSION_CREATED)).toBe(2);
  });
});
