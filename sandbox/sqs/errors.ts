import type { AwsJsonReply } from '../aws-json';

/**
 * The SQS errors the emulator answers with. `type` is the Smithy shape (the JSON body's `__type`),
 * `queryCode` the code of the `x-amzn-query-error` header, which the SDK reads first (SQS is
 * `awsQueryCompatible`): it maps the code back to its modelled exception (`QueueDoesNotExist`, …) and
 * names unmodelled ones after the code itself (`InvalidParameterValue`, `MissingParameter`).
 */
const ERRORS = {
  QueueDoesNotExist: { type: 'com.amazonaws.sqs#QueueDoesNotExist', queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  InvalidParameterValue: { type: 'com.amazonaws.sqs#InvalidParameterValueException', queryCode: 'InvalidParameterValue', status: 400 },
  MissingParameter: { type: 'com.amazonaws.sqs#MissingRequiredParameterException', queryCode: 'MissingParameter', status: 400 },
  InvalidAddress: { type: 'com.amazonaws.sqs#InvalidAddress', queryCode: 'InvalidAddress', status: 404 },
  InvalidAttributeName: { type: 'com.amazonaws.sqs#InvalidAttributeName', queryCode: 'InvalidAttributeName', status: 400 },
  InvalidMessageContents: { type: 'com.amazonaws.sqs#InvalidMessageContents', queryCode: 'InvalidMessageContents', status: 400 },
  ReceiptHandleIsInvalid: { type: 'com.amazonaws.sqs#ReceiptHandleIsInvalid', queryCode: 'ReceiptHandleIsInvalid', status: 404 },
  EmptyBatchRequest: { type: 'com.amazonaws.sqs#EmptyBatchRequest', queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: {
    type: 'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
    queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    status: 400,
  },
  BatchEntryIdsNotDistinct: {
    type: 'com.amazonaws.sqs#BatchEntryIdsNotDistinct',
    queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    status: 400,
  },
  BatchRequestTooLong: { type: 'com.amazonaws.sqs#BatchRequestTooLong', queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  InvalidBatchEntryId: { type: 'com.amazonaws.sqs#InvalidBatchEntryId', queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  UnsupportedOperation: { type: 'com.amazonaws.sqs#UnsupportedOperation', queryCode: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  SerializationException: { type: 'com.amazon.coral.service#SerializationException', queryCode: 'SerializationException', status: 400 },
  MissingAuthenticationToken: {
    type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
    queryCode: 'MissingAuthenticationToken',
    status: 403,
  },
  // Service-side faults: only an injected fault (SqsOptions.injectFault) answers with these.
  RequestThrottled: { type: 'com.amazonaws.sqs#RequestThrottled', queryCode: 'RequestThrottled', status: 403 },
  ThrottlingException: { type: 'com.amazon.coral.availability#ThrottlingException', queryCode: 'ThrottlingException', status: 400 },
  InternalFailure: { type: 'com.amazon.coral.service#InternalFailure', queryCode: 'InternalFailure', status: 500, receiver: true },
  ServiceUnavailable: { type: 'com.amazon.coral.service#ServiceUnavailableException', queryCode: 'ServiceUnavailable', status: 503, receiver: true },
} as const satisfies Record<string, { type: string; queryCode: string; status: number; receiver?: true }>;

export type SqsErrorCode = keyof typeof ERRORS;

/** An error SQS would answer with; thrown by the queue and turned into the wire shape by the server. */
export class SqsError extends Error {
  constructor(
    readonly code: SqsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
  }

  /** The code a batch result's `Failed` entry carries (the Query protocol's spelling). */
  get queryCode(): string {
    return ERRORS[this.code].queryCode;
  }

  /** The JSON protocol's error response: status, `x-amzn-query-error` and the `{__type, message}` body. */
  toReply(): AwsJsonReply {
    const error: { type: string; queryCode: string; status: number; receiver?: true } = ERRORS[this.code];
    // The fault side: Sender for the caller's errors, Receiver for the service's own.
    return { status: error.status, queryError: `${error.queryCode};${error.receiver ? 'Receiver' : 'Sender'}`, body: { __type: error.type, message: this.message } };
  }
}

/** `Value x for parameter Name is invalid. Reason: …`, SQS's wording for a bad parameter. */
export const invalidValue = (parameter: string, value: unknown, reason: string): SqsError =>
  new SqsError('InvalidParameterValue', `Value ${String(value)} for parameter ${parameter} is invalid. Reason: ${reason}`);

export const missingParameter = (parameter: string): SqsError => new SqsError('MissingParameter', `The request must contain the parameter ${parameter}.`);
