import fc from 'fast-check';
import { parseClientFrame } from '../../packages/contract/src/frames';
import { hostileFrame, hostileValue, objectText } from '../helpers/hostile';

/** The documented depth limit (docs/protocol.md), the frame object being level 1. */
const MAX_FRAME_DEPTH = 32;
const context = { channel: 'news', sessionId: 'AAAAAAAAAAAAAAAAAAAAAA', resumeToken: 'A'.repeat(43), token: 'e30.e30.sig' };
/** The characters SQS refuses in a message body and UTF-8 cannot carry: lone surrogates and non-characters. */
const FORBIDDEN = /[\p{Cs}\p{Noncharacter_Code_Point}]/u;

/** Depth of a parsed value, iteratively (an accepted frame is shallow; a rejected one may not be). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}

/** Every string (keys too) and number in a value, iteratively. */
function leavesOf(value: unknown): { strings: string[]; numbers: number[] } {
  const strings: string[] = [];
  const numbers: number[] = [];
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') strings.push(item);
    else if (typeof item === 'number') numbers.push(item);
    else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        strings.push(key);
        pending.push(child);
      }
    }
  }
  return { strings, numbers };
}

/** What every answer of parseClientFrame must be, whatever the body. */
function checkOutcome(body: string): void {
  const result = parseClientFrame(body);
  if (!result.ok) {
    expect(result.error).toMatchObject({ type: 'error', code: 'BAD_MESSAGE', retryable: false });
    expect(() => JSON.stringify(result.error)).not.toThrow();
    return;
  }
  // An accepted frame is safe for everything downstream: serializable on a Lambda stack, SQS-safe text, finite numbers.
  expect(depthOf(result.frame)).toBeLessThanOrEqual(MAX_FRAME_DEPTH);
  const { strings, numbers } = leavesOf(result.frame);
  expect(strings.filter((text) => FORBIDDEN.test(text))).toEqual([]);
  expect(numbers.filter((n) => !Number.isFinite(n))).toEqual([]);
  expect(() => JSON.stringify(result.frame)).not.toThrow();
  expect(Object.getPrototypeOf(result.frame)).toBe(Object.prototype);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe('parseClientFrame under fuzzing', () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

  it('answers every hostile frame with a frame or a BAD_MESSAGE, and accepts only frames safe downstream', () => {
    fc.assert(
      fc.property(hostileFrame(context, 'f1'), (body) => checkOutcome(body)),
      { seed, numRuns: 3_000 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (body) => checkOutcome(body)),
      { seed, numRuns: 2_000 },
    );
  });

  it('rejects a frame carrying a value nested past the limit, a forbidden character or an overflowing number anywhere', () => {
    const forbidden = fc.oneof(
      fc.integer({ min: MAX_FRAME_DEPTH, max: 5_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
      fc.constantFrom('"\\ud800"', '"\\udfff"', JSON.stringify('\uffff'), JSON.stringify('\ufffe'), JSON.stringify('\ufdef'), JSON.stringify('\u{10fffe}'), '1e400', '-1e999'),
    );
    fc.assert(
      fc.property(hostileValue, forbidden, fc.constantFrom('data', 'state', 'channel', 'x'), fc.boolean(), (other, bad, field, asKey) => {
        const value = asKey && !bad.startsWith('[') && bad.startsWith('"') ? `{${bad}:1}` : bad;
        const result = parseClientFrame(objectText({ action: '"publish"', id: '"r"', other, [field]: value }));
        expect(result).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
      }),
      { seed, numRuns: 1_000 },
    );
  });

  it.each([
    ['31 levels of data (32 with the frame)', 31, true],
    ['32 levels of data', 32, false],
  ])('draws the depth line at %s', (_what, depth, ok) => {
    expect(parseClientFrame(`{"action":"publish","data":${'['.repeat(depth)}${']'.repeat(depth)}}`).ok).toBe(ok);
  });

  it('keeps astral characters (well-formed surrogate pairs) and U+FFFD', () => {
    expect(parseClientFrame(JSON.stringify({ action: 'publish', data: '😀 \ufffd \u{10fffd}' }))).toMatchObject({ ok: true });
  });
});
