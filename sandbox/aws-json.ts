import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The AWS JSON protocols as the sandbox's emulations speak them (SQS's awsJson1_0, Scheduler's and the
 * Management API's REST-JSON, DynamoDB's errors in the fault proxy): reading a request body, reading
 * its members with typed validation errors, and answering with a JSON body and AWS's error headers.
 * Each service keeps its own error names and wording; this module only puts them on the wire.
 */

export type Json = Record<string, unknown>;

/**
 * Reads a request body up to `limit` bytes; past it the rest is drained and `'too_large'` returned,
 * so each emulated API can answer with its own error.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A whole body (request or response), unbounded: for a proxy, which forwards what it gets. */
export async function readAll(stream: IncomingMessage): Promise<Buffer> {
  return (await readBody(stream, Number.POSITIVE_INFINITY)) as Buffer;
}

/** Why a request body is not a JSON object, for the service to word as its own error. */
export type BodyProblem = 'too_large' | 'not_json' | 'not_object';

/**
 * A request body that must be a JSON object (an empty body is `{}`); `fail` makes the service's error
 * for each problem (`SerializationException`, `ValidationException`, …).
 */
export async function readJsonObject(req: IncomingMessage, limit: number, fail: (problem: BodyProblem) => Error): Promise<Json> {
  const body = await readBody(req, limit);
  if (body === 'too_large') throw fail('too_large');
  const text = body.toString('utf8');
  let input: unknown;
  try {
    input = text === '' ? {} : JSON.parse(text);
  } catch {
    throw fail('not_json');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw fail('not_object');
  return input as Json;
}

/** A response of an AWS JSON protocol. */
export interface AwsJsonReply {
  status: number;
  /** `application/json` (REST-JSON), `application/x-amz-json-1.0` (SQS, DynamoDB). */
  contentType?: string;
  /** `x-amzn-RequestId`; a fresh UUID when not given. */
  requestId?: string;
  /** `x-amzn-ErrorType`: the error's name, which SDK v3 reads first on REST-JSON and awsJson services. */
  errorType?: string;
  /** `x-amzn-query-error`: `<code>;Sender|Receiver`, which SDK v3 reads first on query-compatible services (SQS). */
  queryError?: string;
  /** Serialized as JSON; no body when undefined (and no Content-Type unless `contentType` is given). */
  body?: unknown;
}

/** Answers a request once: a reply after the headers went out (a failure mid-answer) is dropped. */
export function replyJson(res: ServerResponse, reply: AwsJsonReply): void {
  if (res.headersSent) return;
  const text = reply.body === undefined ? undefined : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...((text !== undefined || reply.contentType !== undefined) && { 'Content-Type': reply.contentType ?? 'application/json' }),
    ...(text !== undefined && { 'Content-Length': Buffer.byteLength(text) }),
    'x-amzn-RequestId': reply.requestId ?? randomUUID(),
    ...(reply.errorType !== undefined && { 'x-amzn-ErrorType': reply.errorType }),
    ...(reply.queryError !== undefined && { 'x-amzn-query-error': reply.queryError }),
  });
  res.end(text);
}

/** How a service words a member that fails its type or bounds (each its own error class and text). */
export interface FieldErrors {
  /** `expected`: `a string`, `an integer`, `a structure`, `a timestamp in epoch seconds`, `a list of strings`, `a list of structures`. */
  wrongType(member: string, value: unknown, expected: string): Error;
  missing(member: string): Error;
  /** `bound` is the limit the value passed: `min` or `max`. */
  outOfRange(member: string, value: number, bound: 'min' | 'max', min: number | undefined, max: number | undefined): Error;
}

export interface FieldReaders {
  optionalString(input: Json, key: string, member?: string): string | undefined;
  requiredString(input: Json, key: string, member?: string): string;
  /** Out of `[min, max]` (each bound when given) it fails with `outOfRange`. */
  optionalInteger(input: Json, key: string, rule?: { min?: number; max?: number; member?: string }): number | undefined;
  optionalObject(input: Json, key: string, member?: string): Json | undefined;
  /** Epoch seconds on the wire (as the SDK serializes timestamps), epoch milliseconds returned. */
  optionalTimestamp(input: Json, key: string, member?: string): number | undefined;
  stringList(input: Json, key: string, member?: string): string[];
  objectList(input: Json, key: string, member?: string): Json[];
}

/**
 * Readers of a JSON input's members: the SDK sends well-typed JSON, other clients may not. `key` is the
 * member in the body, `member` its name in error messages (the key by default). Absent and `null` are
 * the same.
 *
 * @example
 * const { requiredString } = fieldReaders({ wrongType: …, missing: (m) => new SqsError('MissingParameter', m), outOfRange: … });
 * const queueUrl = requiredString(input, 'QueueUrl');
 */
export function fieldReaders(errors: FieldErrors): FieldReaders {
  const present = (input: Json, key: string): unknown => {
    const value = input[key];
    return value === null ? undefined : value;
  };
  const readers: FieldReaders = {
    optionalString(input, key, member = key) {
      const value = present(input, key);
      if (value === undefined) return undefined;
      if (typeof value !== 'string') throw errors.wrongType(member, value, 'a string');
      return value;
    },
    requiredString(input, key, member = key) {
      const value = readers.optionalString(input, key, member);
      if (value === undefined) throw errors.missing(member);
      return value;
    },
    optionalInteger(input, key, { min, max, member = key } = {}) {
      const value = present(input, key);
      if (value === undefined) return undefined;
      if (typeof value !== 'number' || !Number.isInteger(value)) throw errors.wrongType(member, value, 'an integer');
      if (min !== undefined && value < min) throw errors.outOfRange(member, value, 'min', min, max);
      if (max !== undefined && value > max) throw errors.outOfRange(member, value, 'max', min, max);
      return value;
    },
    optionalObject(input, key, member = key) {
      const value = present(input, key);
      if (value === undefined) return undefined;
      if (typeof value !== 'object' || Array.isArray(value)) throw errors.wrongType(member, value, 'a structure');
      return value as Json;
    },
    optionalTimestamp(input, key, member = key) {
      const value = present(input, key);
      if (value === undefined) return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw errors.wrongType(member, value, 'a timestamp in epoch seconds');
      return value * 1000;
    },
    stringList(input, key, member = key) {
      const value = present(input, key);
      if (value === undefined) return [];
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw errors.wrongType(member, value, 'a list of strings');
      return value as string[];
    },
    objectList(input, key, member = key) {
      const value = present(input, key);
      if (value === undefined) return [];
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'object' || item === null)) throw errors.wrongType(member, value, 'a list of structures');
      return value as Json[];
    },
  };
  return readers;
}

/** True when the request carries a SigV4 `Authorization` header (the sandbox never checks the signature). */
export const isSigned = (req: IncomingMessage): boolean => (req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ');
