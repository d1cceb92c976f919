import { ERROR_CODES as CONTRACT_ERROR_CODES } from '../../packages/contract/src/error-codes';
import { ACTION_FIELDS, ACTION_PATTERN as CONTRACT_ACTION_PATTERN, MAX_MESSAGE_BYTES as SERVER_MAX_MESSAGE_BYTES, SERVER_FRAME_TYPES as CONTRACT_FRAME_TYPES } from '../../packages/contract/src/frames';
import { ACTION_PATTERN, BUILT_IN_ACTIONS, ERROR_CODES, MAX_MESSAGE_BYTES, SERVER_FRAME_TYPES } from '../../packages/client/src/wire';

// The client keeps its own small copies (no runtime dependency, a few bytes); these tests hold them to
// the declared contract so the two cannot drift.
describe('client wire types', () => {
  it('name exactly the error codes the contract declares', () => {
    expect(Object.keys(CONTRACT_ERROR_CODES).length).toBeGreaterThan(5);
    expect([...ERROR_CODES].sort()).toEqual(Object.keys(CONTRACT_ERROR_CODES).sort());
  });

  it('name exactly the frame types the contract says the server sends', () => {
    expect(Object.keys(CONTRACT_FRAME_TYPES)).toContain('goaway');
    expect([...SERVER_FRAME_TYPES].sort()).toEqual(Object.keys(CONTRACT_FRAME_TYPES).sort());
  });

  it('name exactly the built-in actions and the action pattern the contract declares', () => {
    expect(Object.keys(ACTION_FIELDS)).toContain('resume');
    expect([...BUILT_IN_ACTIONS].sort()).toEqual(Object.keys(ACTION_FIELDS).sort());
    expect(String(ACTION_PATTERN)).toBe(String(CONTRACT_ACTION_PATTERN));
  });

  it('hold the server message size limit', () => {
    expect(MAX_MESSAGE_BYTES).toBe(SERVER_MAX_MESSAGE_BYTES);
  });
});
