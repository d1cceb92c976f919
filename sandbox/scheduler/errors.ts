/**
 * The errors the EventBridge Scheduler emulator answers with, and AWS's wording for a member that
 * fails a constraint.
 */

const ERRORS = {
  ValidationException: 400,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  MissingAuthenticationTokenException: 403,
  UnknownOperationException: 404,
  InternalServerException: 500,
} as const;

export type SchedulerErrorName = keyof typeof ERRORS;

/**
 * An error EventBridge Scheduler would answer with. On the wire (REST-JSON): the status, the name in
 * `x-amzn-ErrorType` (which the SDK reads first) and `{"Message": …}`, so SDK v3 throws the modelled
 * exception (`ConflictException`, `ResourceNotFoundException`, `ValidationException`).
 */
export class SchedulerError extends Error {
  constructor(
    readonly code: SchedulerErrorName,
    message: string,
  ) {
    super(message);
    this.name = code;
  }

  get status(): number {
    return ERRORS[this.code];
  }
}

export const validation = (message: string) => new SchedulerError('ValidationException', message);
/** AWS's wording for a constraint a member fails. */
export const constraint = (value: unknown, member: string, rule: string) =>
  validation(`1 validation error detected: Value ${value === null ? 'null' : `'${String(value)}'`} at '${member}' failed to satisfy constraint: ${rule}`);
