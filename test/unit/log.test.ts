import { configureLog, fingerprint, log } from '../../functions/lib/log';

let lines: string[] = [];
const records = (): Array<Record<string, unknown>> => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

beforeEach(() => {
  lines = [];
  configureLog({ level: 'info', namespace: 'WebSocketSessions', sink: (line) => lines.push(line) });
  jest.useFakeTimers({ now: new Date('2024-01-20T11:55:00.453Z') });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('log', () => {
  it('writes one JSON line with level info by default and a timestamp', () => {
    log({ event: 'connect', connectionId: 'c-1' });
    expect(lines).toHaveLength(1);
    expect(records()).toStrictEqual([{ level: 'info', event: 'connect', connectionId: 'c-1', timestamp: '2024-01-20T11:55:00.453Z' }]);
  });

  it('writes no EMF block without metrics', () => {
    log({ event: 'reject', level: 'warn', reason: 'origin_not_allowed' });
    const [record] = records();
    expect(record).toStrictEqual({ level: 'warn', event: 'reject', reason: 'origin_not_allowed', timestamp: '2024-01-20T11:55:00.453Z' });
  });

  it('makes the line an EMF record with a Reason dimension, and the total without it, when a reason is given', () => {
    log({ event: 'reject', level: 'warn', reason: 'origin_not_allowed' }, { Rejects: 1 });
    expect(records()).toStrictEqual([
      {
        level: 'warn',
        event: 'reject',
        reason: 'origin_not_allowed',
        timestamp: '2024-01-20T11:55:00.453Z',
        _aws: {
          Timestamp: Date.parse('2024-01-20T11:55:00.453Z'),
          CloudWatchMetrics: [{ Namespace: 'WebSocketSessions', Dimensions: [['Reason'], []], Metrics: [{ Name: 'Rejects', Unit: 'Count' }] }],
        },
        Reason: 'origin_not_allowed',
        Rejects: 1,
      },
    ]);
  });

  it('uses an empty dimension set and no Reason key without a reason', () => {
    log({ event: 'disconnect' }, { Disconnects: 1 });
    const [record] = records();
    expect(record?._aws).toStrictEqual({
      Timestamp: Date.parse('2024-01-20T11:55:00.453Z'),
      CloudWatchMetrics: [{ Namespace: 'WebSocketSessions', Dimensions: [[]], Metrics: [{ Name: 'Disconnects', Unit: 'Count' }] }],
    });
    expect(record).not.toHaveProperty('Reason');
    expect(record?.Disconnects).toBe(1);
  });

  it('lists every metric given', () => {
    log({ event: 'message', reason: 'bad_json' }, { BadMessages: 1, Errors: 2 });
    const [record] = records();
    const aws = record?._aws as { CloudWatchMetrics: Array<{ Metrics: unknown }> };
    expect(aws.CloudWatchMetrics[0]?.Metrics).toStrictEqual([
      { Name: 'BadMessages', Unit: 'Count' },
      { Name: 'Errors', Unit: 'Count' },
    ]);
    expect(record?.BadMessages).toBe(1);
    expect(record?.Errors).toBe(2);
  });

  it('gives each metric its unit: FanoutLag in milliseconds, counts in Count', () => {
    log({ event: 'fanout_batch', records: 3, lagMs: 1250 }, { FanoutLag: 1250, Delivered: 3 });
    const [record] = records();
    const aws = record?._aws as { CloudWatchMetrics: Array<{ Dimensions: unknown; Metrics: unknown }> };
    expect(aws.CloudWatchMetrics[0]?.Dimensions).toStrictEqual([[]]);
    expect(aws.CloudWatchMetrics[0]?.Metrics).toStrictEqual([
      { Name: 'FanoutLag', Unit: 'Milliseconds' },
      { Name: 'Delivered', Unit: 'Count' },
    ]);
    expect(record?.FanoutLag).toBe(1250);
  });

  it('uses the configured namespace', () => {
    configureLog({ namespace: 'Chat/Prod' });
    log({ event: 'connect' }, { Connects: 1 });
    const aws = records()[0]?._aws as { CloudWatchMetrics: Array<{ Namespace: string }> };
    expect(aws.CloudWatchMetrics[0]?.Namespace).toBe('Chat/Prod');
  });

  it('drops lines below the configured level', () => {
    configureLog({ level: 'warn' });
    log({ event: 'debugging', level: 'debug' });
    log({ event: 'connect' });
    log({ event: 'reject', level: 'warn' });
    log({ event: 'crash', level: 'error' });
    expect(records().map((r) => r.event)).toEqual(['reject', 'crash']);
  });

  it('keeps a line below the level when it carries metrics', () => {
    configureLog({ level: 'error' });
    log({ event: 'connect' }, { Connects: 1 });
    expect(records().map((r) => [r.event, r.Connects])).toEqual([['connect', 1]]);
  });

  it('writes debug lines when the level is debug', () => {
    configureLog({ level: 'debug' });
    log({ event: 'trace', level: 'debug' });
    expect(records()).toHaveLength(1);
  });
});

describe('fingerprint', () => {
  it('is the first 12 hex digits of the SHA-256, prefixed', () => {
    expect(fingerprint('739bb5b7-3236-4cbd-8132-b281bbe83b42')).toBe('sha256:dccabceaf7b9');
  });

  it('is stable and never contains the value', () => {
    const id = 'user_0123456789abcdef';
    expect(fingerprint(id)).toBe(fingerprint(id));
    expect(fingerprint(id)).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(fingerprint(id)).not.toContain(id);
  });

  it('differs for different values', () => {
    expect(fingerprint('a'.repeat(16))).not.toBe(fingerprint('b'.repeat(16)));
  });
});
