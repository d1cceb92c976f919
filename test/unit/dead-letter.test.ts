import { deadLetterBody } from '../../functions/lib/delivery/dead-letter';
import { MAX_RECORD_BYTES, recordBytes } from '../../packages/contract/src/sqs-batch';

describe('dead letters', () => {
  it('fit one record: a frame or body too large keeps a prefix and says so', () => {
    const small = { kind: 'dead_letter', reason: 'forbidden', frame: '{"a":1}' };
    expect(JSON.parse(deadLetterBody(small))).toEqual(small);
    const large = JSON.parse(deadLetterBody({ kind: 'dead_letter', reason: 'malformed', body: 'é'.repeat(200_000) })) as { body: string; truncated: boolean };
    expect(large.truncated).toBe(true);
    expect(recordBytes(JSON.stringify(large))).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(large.body.startsWith('éé')).toBe(true);
  });
});
