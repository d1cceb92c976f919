import fc from 'fast-check';

/**
 * Hostile client frames for the router fuzz tests, as JSON text: text, not values, so a frame can hold
 * what JSON.stringify never writes (`1e400`, a number past 2^53, nesting deeper than a stack allows).
 */

/** API Gateway's message limit: a frame the fuzz sends never exceeds it (the gateway would close with 1009). */
export const MAX_FUZZ_FRAME_BYTES = 128 * 1024;
/** A 127 KB string value (ASCII, so the frame around it still fits in 128 KB). */
export const HUGE_STRING = JSON.stringify('x'.repeat(127 * 1024 - 512));

const nestedArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const nestedObjects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** `{"k":<text>,…}` from already serialized values; keys serialized as JSON does (lone surrogates escaped). */
export function objectText(fields: Record<string, string>): string {
  return '{' + Object.entries(fields).map(([key, text]) => `${JSON.stringify(key)}:${text}`).join(',') + '}';
}

/** Wrong types and look-alikes: what a field of another kind receives. */
const WRONG_TYPES = ['null', 'true', 'false', '0', '-1', '1.5', '[]', '{}', '[1,"two",null]', '""', '" 7"', '"NaN"', '"Infinity"', '"-Infinity"', '"1e400"', '"0x1f"', '"\\u0000"'];

/** Numbers JSON allows and a double cannot hold, or only approximately. */
const HUGE_NUMBERS = ['1e308', '1e400', '-1e400', '1e-400', '-0', '9007199254740993', '123456789012345678901234567890', '-123456789012345678901234567890'];

/**
 * Lone surrogates (as JSON escapes: UTF-8 cannot carry them) and non-characters (raw and escaped),
 * to splice into JSON string text.
 */
const FORBIDDEN_CHARACTERS = ['\\ud800', '\\udfff', '\\udbff\\udbff', '\uffff', '\\ufffe', '\ufdd0', '\\ufdef', '\u{1fffe}', '\u{10ffff}'];
const forbiddenText = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...FORBIDDEN_CHARACTERS), fc.string({ maxLength: 8 }))
  .map(([before, bad, after]) => JSON.stringify(before).slice(0, -1) + bad + JSON.stringify(after).slice(1));
const forbidden = fc.oneof(
  forbiddenText,
  forbiddenText.map((text) => `[${text}]`),
  forbiddenText.map((text) => `{"k":${text}}`),
  forbiddenText.map((text) => `{${text}:1}`),
);

/** Strings of a token's length (43) or a session id's (22) in characters but not in bytes; prototype keys. */
const LOOK_ALIKES = [
  JSON.stringify('ü'.repeat(43)),
  JSON.stringify('A'.repeat(42) + 'é'),
  JSON.stringify('😀'.repeat(21) + 'A'),
  JSON.stringify('A'.repeat(43)),
  JSON.stringify('ü'.repeat(22)),
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"__proto__":null,"toString":1,"hasOwnProperty":"x"}',
  '[{"__proto__":[]}]',
];

/** Nesting around the limit (32) and at the depths that exhaust a Lambda's stack (about 4,100). */
const deep = fc.oneof(
  fc.integer({ min: 30, max: 34 }).map(nestedArrays),
  fc.integer({ min: 30, max: 34 }).map(nestedObjects),
  fc.constantFrom(64, 4_100, 5_000, 20_000, 60_000).map(nestedArrays),
  fc.constantFrom(4_100, 10_000).map(nestedObjects),
);

const smallKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'news', ''), fc.string({ unit: 'binary', maxLength: 4 }));

/** Any hostile JSON value, as text. */
export const hostileValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: forbidden },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...HUGE_NUMBERS), fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String)) },
  { weight: 1, arbitrary: fc.constantFrom(...WRONG_TYPES) },
  { weight: 1, arbitrary: fc.constantFrom(...LOOK_ALIKES) },
  { weight: 1, arbitrary: fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 40 }).map((text) => JSON.stringify(text))) },
  { weight: 1, arbitrary: fc.dictionary(smallKey, fc.constantFrom(...WRONG_TYPES, ...HUGE_NUMBERS), { maxKeys: 4 }).map(objectText) },
  { weight: 1, arbitrary: fc.constant(HUGE_STRING) },
);

/** Real values for the fields of each action, so a frame with one hostile field reaches the handler. */
export interface FuzzContext {
  channel: string;
  sessionId: string;
  resumeToken: string;
  token: string;
}

/** The documented actions (docs/protocol.md) and their fields, with a value each accepts. */
const ACTIONS: Record<string, (context: FuzzContext) => Record<string, unknown>> = {
  ping: () => ({}),
  auth: ({ token }) => ({ token }),
  subscribe: ({ channel }) => ({ channel, since: 0 }),
  unsubscribe: ({ channel }) => ({ channel }),
  publish: ({ channel }) => ({ channel, data: { text: 'hi' } }),
  broadcast: () => ({ data: 'hello all' }),
  hello: () => ({}),
  resume: ({ sessionId, resumeToken, channel }) => ({ sessionId, resumeToken, channels: { [channel]: 0 } }),
  'state.get': () => ({}),
  'state.set': () => ({ version: 0, state: { n: 1 } }),
};

export const FUZZED_ACTIONS = Object.keys(ACTIONS);

/** Every documented field of every action, with `action` and `id`: what the fuzz attacks one at a time. */
export function documentedFields(context: FuzzContext): Array<{ action: string; field: string }> {
  return FUZZED_ACTIONS.flatMap((action) => ['action', 'id', ...Object.keys(ACTIONS[action]!(context))].map((field) => ({ action, field })));
}

/** The action's frame with valid fields, as serialized values. */
export function baseFrame(context: FuzzContext, action: string, id: string): Record<string, string> {
  const fields = Object.fromEntries(Object.entries(ACTIONS[action]!(context)).map(([name, value]) => [name, JSON.stringify(value)]));
  return { action: JSON.stringify(action), id: JSON.stringify(id), ...fields };
}

const fits = (text: string): boolean => Buffer.byteLength(text, 'utf8') <= MAX_FUZZ_FRAME_BYTES;

/** The action's frame with `field` set to a hostile value (most of the time) or missing. */
export function attackField(context: FuzzContext, action: string, field: string, id: string): fc.Arbitrary<string> {
  const base = baseFrame(context, action, id);
  const missing = objectText(Object.fromEntries(Object.entries(base).filter(([key]) => key !== field)));
  return fc
    .oneof({ weight: 6, arbitrary: hostileValue.map((text) => objectText({ ...base, [field]: text })) }, { weight: 1, arbitrary: fc.constant(missing) })
    .filter(fits);
}

/** A body that is not an object with an action: a hostile value, random text, a truncated frame. */
const wholeBody: fc.Arbitrary<string> = fc.oneof(
  hostileValue,
  fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
  fc.constantFrom('{"action":"ping"', '{"action":"ping",}', "{'action':'ping'}", '{"action":"ping"}x', ' '),
);

/**
 * A hostile frame: one documented field (or `action`, or `id`) of one action replaced or removed, an
 * extra field beside valid ones, an unknown action, or a body that is no frame.
 */
export function hostileFrame(context: FuzzContext, id: string): fc.Arbitrary<string> {
  const attacked = fc.constantFrom(...documentedFields(context)).chain(({ action, field }) => attackField(context, action, field, id));
  const stranger = fc
    .tuple(fc.constantFrom(...FUZZED_ACTIONS), smallKey, hostileValue)
    .map(([action, name, text]) => objectText(name === 'action' || name === 'id' ? baseFrame(context, action, id) : { ...baseFrame(context, action, id), [name]: text }));
  const unknown = fc
    .tuple(fc.constantFrom('fly', 'constructor', 'toString', 'Ping', 'a'.repeat(64), 'a'.repeat(65), '$default', 'state.delete'), hostileValue)
    .map(([action, text]) => objectText({ action: JSON.stringify(action), id: JSON.stringify(id), data: text }));
  return fc
    .oneof({ weight: 6, arbitrary: attacked }, { weight: 2, arbitrary: stranger }, { weight: 1, arbitrary: unknown }, { weight: 1, arbitrary: wholeBody })
    .filter(fits);
}
