import { readAllowedOrigins, readLatency, readPort, readableLogLine } from '../../sandbox/launch';

describe('the launchers\' readable log line', () => {
  it('puts time, function, level and event first, then the fields, leaving the metrics envelope out', () => {
    const line = JSON.stringify({
      level: 'info',
      event: 'connect',
      connectionId: 'QQrnlbhJY8h9s4S=',
      closeReason: 'going away',
      timestamp: '2026-11-30T03:34:33.306Z',
      _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'WebSocketSessions', Dimensions: [['Reason']], Metrics: [{ Name: 'Connects', Unit: 'Count' }] }] },
      Reason: 'x',
      Connects: 1,
    });
    expect(readableLogLine('connect', line)).toBe('03:34:33.306 connect     info  connect connectionId=QQrnlbhJY8h9s4S= closeReason="going away"');
  });

  it('shows a line that is not a JSON object as it is', () => {
    expect(readableLogLine('teleprinter', 'plain text')).toBe('teleprinter plain text');
    expect(readableLogLine('x', '[1,2]')).toBe('x           [1,2]');
  });
});

describe('the launchers\' environment', () => {
  it('reads ports and refuses what is not one', () => {
    expect(readPort('PORT', 3001, {})).toBe(3001);
    expect(readPort('PORT', 3001, { PORT: '4000' })).toBe(4000);
    for (const bad of ['0', '65536', '30.5', 'abc', '-1']) expect(() => readPort('PORT', 3001, { PORT: bad })).toThrow(/PORT must be a port number from 1 to 65535/);
  });

  it('allows the local page and the origins of ALLOWED_ORIGINS, exact origins or *', () => {
    expect(readAllowedOrigins(3000, { ALLOWED_ORIGINS: ' https://a.example , http://b.example:8080,' })).toEqual([
      'http://127.0.0.1:3000',
      'http://localhost:3000',
      'https://a.example',
      'http://b.example:8080',
    ]);
    expect(readAllowedOrigins(3000, { ALLOWED_ORIGINS: '*' })).toEqual(['http://127.0.0.1:3000', 'http://localhost:3000', '*']);
    for (const bad of ['https://a.example/', 'a.example', 'ftp://a.example', 'https://a.example?x', '**']) {
      expect(() => readAllowedOrigins(3000, { ALLOWED_ORIGINS: bad })).toThrow(/is not an origin/);
    }
  });
});

describe('the launchers\' modelled round trips (SANDBOX_LATENCY_MS)', () => {
  it('reads one number for every service, or service=ms pairs, and none when unset', () => {
    expect(readLatency({})).toBeUndefined();
    expect(readLatency({ SANDBOX_LATENCY_MS: '10' })).toEqual({ dynamodb: 10, sqs: 10, scheduler: 10, management: 10, lambda: 10 });
    expect(readLatency({ SANDBOX_LATENCY_MS: ' dynamodb=5, lambda=15 ' })).toEqual({ dynamodb: 5, lambda: 15 });
  });

  it('refuses what is not one, naming the setting', () => {
    for (const bad of ['-1', '5ms', 'dynamo=5', 'dynamodb', 'dynamodb=5,dynamodb=6', 'sqs=1.5', 'sqs=5=6', 'lambda=3600001']) {
      expect(() => readLatency({ SANDBOX_LATENCY_MS: bad })).toThrow(/^SANDBOX_LATENCY_MS must be whole ms/);
    }
  });
});
