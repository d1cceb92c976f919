import { SqsError } from './errors';

/** The failures on SQS's side a call can meet (the error codes SQS and the SDK use). */
export const SQS_FAULT_KINDS = ['RequestThrottled', 'ThrottlingException', 'InternalFailure', 'ServiceUnavailable'] as const;
export type SqsFaultKind = (typeof SQS_FAULT_KINDS)[number];

/** One SQS call, or one entry of a batch call, as the fault hook sees it. */
export interface SqsCall {
  /** `SendMessage`, `SendMessageBatch`, `ReceiveMessage`, `DeleteMessage`, … */
  operation: string;
  /** The queue the `QueueUrl` names ('' when it names none). */
  queue: string;
  /** Set for one entry of a batch request (its `Id`); absent for the request as a whole. */
  entryId?: string;
  /** The message body of a SendMessage or of a SendMessageBatch entry. */
  body?: string;
  /** The request's JSON (for an entry, the entry's). */
  input: Record<string, unknown>;
}

/**
 * Decides whether a call fails on SQS's side, and how. Called once per request (without `entryId`):
 * a kind fails the whole request with SQS's error response. For SendMessageBatch and
 * DeleteMessageBatch it is then called once per entry: a kind fails that entry alone, reported in the
 * result's `Failed` list with `SenderFault: false`, as SQS reports an entry it could not take.
 * Undefined lets the call through. Tests only: the sandbox never fails on its own.
 *
 * @example
 * const injectFault: SqsFault = ({ operation, entryId }) => (operation === 'SendMessageBatch' && entryId === '1' ? 'InternalFailure' : undefined);
 */
export type SqsFault = (call: SqsCall) => SqsFaultKind | undefined;

const MESSAGES: Record<SqsFaultKind, string> = {
  RequestThrottled: 'Request is throttled.',
  ThrottlingException: 'Rate exceeded',
  InternalFailure: 'The request processing has failed because of an unknown error, exception or failure.',
  ServiceUnavailable: 'The request has failed due to a temporary failure of the server.',
};

/** The error response of a request failed by the hook. */
export const faultError = (kind: SqsFaultKind): SqsError => new SqsError(kind, MESSAGES[kind]);

/** The `Failed` entry of a batch entry failed by the hook: throttled, or SQS's `InternalError`. */
export function failedEntry(id: unknown, kind: SqsFaultKind): Record<string, unknown> {
  const throttled = kind === 'RequestThrottled' || kind === 'ThrottlingException';
  return { Id: id, SenderFault: false, Code: throttled ? kind : 'InternalError', Message: throttled ? MESSAGES[kind] : 'An internal error occurred.' };
}
