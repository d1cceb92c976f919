import { checkResumeToken, resumeToken } from '../../functions/lib/sessions/session-store';

const key = Buffer.from('k'.repeat(32));
const real = resumeToken(key, 'user-1', 'session-1');

describe('checkResumeToken', () => {
  it('accepts the token of the session and user', () => {
    expect(checkResumeToken(key, 'user-1', 'session-1', real)).toBe(true);
  });

  it.each([
    ['43 non-ASCII characters', 'ü'.repeat(43)],
    ['42 ASCII characters and one non-ASCII', real.slice(0, 42) + 'é'],
    ['43 characters with a lone surrogate', real.slice(0, 42) + '\ud800'],
    ['an astral character in 43 UTF-16 units', real.slice(0, 41) + '😀'],
    ['42 characters', real.slice(0, 42)],
    ['44 characters', real + 'A'],
    ['43 characters outside base64url', real.slice(0, 42) + '='],
    ['an empty string', ''],
    ['a number', 7],
    ['null', null],
    ['another user’s token', resumeToken(key, 'user-2', 'session-1')],
  ])('refuses %s without throwing', (_what, token) => {
    expect(checkResumeToken(key, 'user-1', 'session-1', token)).toBe(false);
  });
});
