import { createLimiter } from '../../functions/lib/delivery/deliver';
import { messageFrame } from '../../functions/lib/delivery/frames';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deliverRecordKey, readLedgers, servedOf } from '../../functions/lib/delivery/ledger';

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

  it('reads ledgers ahead in one BatchGetItem, asks again for unprocessed keys after a backoff and leaves the rest to GetItem (UnprocessedKeys mocked: DynamoDB Local never returns them)', async () => {
    const refs = ['a', 'b', 'c'].map((messageId) => ({ messageId, key: deliverRecordKey(messageId, 0, ['c1']) }));
    const [a, b, c] = refs.map(({ messageId, key }) => ({ PK: `DELIVERY#${messageId}`, SK: `RECORD#${key}` })) as unknown as [Record<string, string>, Record<string, string>, Record<string, string>];
    const sent: Array<{ name: string; keys: unknown[] }> = [];
    const answers = [
      // a is served, b left unprocessed, c has no ledger; then b left unprocessed twice more.
      { Responses: { t: [{ ...a, done: new Set(['c1']) }] }, UnprocessedKeys: { t: { Keys: [b] } } },
      { Responses: { t: [] }, UnprocessedKeys: { t: { Keys: [b] } } },
      { Responses: { t: [] }, UnprocessedKeys: { t: { Keys: [b] } } },
    ];
    const documents = {
      send: async (command: { constructor: { name: string }; input: { RequestItems?: Record<string, { Keys: unknown[] }> } }) => {
        sent.push({ name: command.constructor.name, keys: command.input.RequestItems?.t?.Keys ?? [] });
        if (command.constructor.name === 'GetCommand') return { Item: { done: new Set(['c1']) } };
        return answers.shift();
      },
    } as unknown as DynamoDBDocumentClient;
    const waits: number[] = [];
    const ledgers = await readLedgers({ documents, tableName: 't', sleep: async (ms) => void waits.push(ms) }, [...refs, refs[0]!]);
    expect(sent.map(({ name, keys }) => [name, keys.length])).toEqual([['BatchGetCommand', 3], ['BatchGetCommand', 1], ['BatchGetCommand', 1]]);
    expect(sent[0]!.keys).toEqual([a, b, c]);
    expect(waits).toEqual([25, 50]);
    expect(await servedOf({ documents, tableName: 't' }, refs[0]!, ledgers)).toEqual(new Set(['c1']));
    expect(await servedOf({ documents, tableName: 't' }, refs[2]!, ledgers)).toEqual(new Set());
    expect(sent).toHaveLength(3);
    // b was never read: servedOf asks DynamoDB for it.
    expect(await servedOf({ documents, tableName: 't' }, refs[1]!, ledgers)).toEqual(new Set(['c1']));
    expect(sent.at(-1)!.name).toBe('GetCommand');
  });
});
