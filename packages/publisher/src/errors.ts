/**
 * A call the publisher refused before sending or reading anything (`BAD_TARGET`: a malformed id or
 * channel; `BAD_DATA`: not JSON, a lone surrogate or a non-character such as U+FFFE in a string or
 * key, more than 31 levels of nesting; `PAYLOAD_TOO_LARGE`; `BAD_REASON`: a disconnect's reason;
 * `BAD_PAGE`: a page's `limit` or `cursor`; `NO_TABLE`: a read without `tableName`), or SQS
 * (`QUEUE_REJECTED`) or DynamoDB (`TABLE_REJECTED`) refused.
 */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    message: string,
    readonly code: 'BAD_TARGET' | 'BAD_DATA' | 'PAYLOAD_TOO_LARGE' | 'BAD_REASON' | 'BAD_PAGE' | 'NO_TABLE' | 'QUEUE_REJECTED' | 'TABLE_REJECTED',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
