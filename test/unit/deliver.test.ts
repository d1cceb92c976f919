import { createLimiter } from '../../functions/lib/delivery/deliver';
import { messageFrame } from '../../functions/lib/delivery/frames';
import { deliverRecordKey } from '../../functions/lib/delivery/ledger';

describe('delivery', () => {
  it('never has more than the limit in flight and keeps the results in order', async () => {
    let inFlight = 0;
    let most = 0;
    const limit = createLimiter(7);
    const results = await Promise.all(
      [...Array(50).keys()].map((n) =>
        limit(async () => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setTimeout(resolve, n % 3));
          inFlight--;
          if (n === 13) throw new Error('a failing task frees its slot');
          return n * 2;
        }).catch(() => -1),
      ),
    );
    expect(most).toBe(7);
    expect(results).toEqual([...Array(50).keys()].map((n) => (n === 13 ? -1 : n * 2)));
  });

  it('builds frames around the published JSON text', () => {
    expect(messageFrame({ channel: 'news', seq: 3, id: 'm', payload: '{"b":1,"a":[1.5]}' })).toBe('{"type":"message","channel":"news","seq":3,"id":"m","data":{"b":1,"a":[1.5]}}');
    expect(JSON.parse(messageFrame({ id: 'm', payload: 'null' }))).toEqual({ type: 'message', id: 'm', data: null });
  });

  it('keys a deliver record by its message, partition and connection ids', () => {
    const key = deliverRecordKey('m', 1, ['a', 'b']);
    expect(key).toBe(deliverRecordKey('m', 1, ['a', 'b']));
    expect(new Set([key, deliverRecordKey('m', 2, ['a', 'b']), deliverRecordKey('m', 1, ['a']), deliverRecordKey('n', 1, ['a', 'b'])]).size).toBe(4);
  });
});
