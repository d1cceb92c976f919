import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CONNECTION_TIMEOUT_MS, readRequestTimeouts, REQUEST_TIMEOUT_RULE, withRequestTimeouts } from '../../functions/lib/config/aws-client';
import { ConfigError } from '../../packages/contract/src/config-error';

describe('readRequestTimeouts', () => {
  it('defaults to a 2000 ms request timeout that throws, and a 1000 ms connection timeout', () => {
    expect(readRequestTimeouts({})).toEqual({ connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true });
    expect(REQUEST_TIMEOUT_RULE.default).toBe(2000);
    expect(CONNECTION_TIMEOUT_MS).toBe(1000);
  });

  it.each([
    ['100', 100, 100],
    ['300', 300, 300],
    ['1000', 1000, 1000],
    ['5000', 1000, 5000],
  ])('reads AWS_REQUEST_TIMEOUT_MS=%s, the connection timeout never above it', (raw, connectionTimeout, requestTimeout) => {
    expect(readRequestTimeouts({ AWS_REQUEST_TIMEOUT_MS: raw })).toEqual({ connectionTimeout, requestTimeout, throwOnRequestTimeout: true });
  });

  it.each(['99', '0', '-1', '5001', '60000', '2s', '1e3', '2000.5', ' ', 'NaN'])('rejects AWS_REQUEST_TIMEOUT_MS=%j with a ConfigError naming the setting and its range', (raw) => {
    const read = () => readRequestTimeouts({ AWS_REQUEST_TIMEOUT_MS: raw });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/^AWS_REQUEST_TIMEOUT_MS must be a whole number from 100 to 5000, got /);
  });
});

describe('withRequestTimeouts', () => {
  const timeouts = readRequestTimeouts({ AWS_REQUEST_TIMEOUT_MS: '300' });

  it('keeps the client settings and the request handler options it is given, and adds the timeouts', () => {
    const agent = { keepAlive: true, maxSockets: 16 };
    expect(withRequestTimeouts({ endpoint: 'http://127.0.0.1:1', maxAttempts: 1, requestHandler: { httpAgent: agent } }, timeouts)).toEqual({
      endpoint: 'http://127.0.0.1:1',
      maxAttempts: 1,
      requestHandler: { httpAgent: agent, connectionTimeout: 300, requestTimeout: 300, throwOnRequestTimeout: true },
    });
  });

  it('lets no caller loosen the timeouts', () => {
    expect(withRequestTimeouts({ requestHandler: { requestTimeout: 0, throwOnRequestTimeout: false } }, timeouts).requestHandler).toEqual(timeouts);
  });

  describe('on a real SDK client', () => {
    let server: Server;
    let endpoint: string;
    beforeAll(async () => {
      // Takes the request and never answers it, as a hung AWS endpoint would.
      server = createServer(() => undefined);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('fails an attempt left unanswered with a TimeoutError instead of waiting on it', async () => {
      const client = new SQSClient(
        withRequestTimeouts({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }, timeouts),
      );
      try {
        const error = await client.send(new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/q`, MessageBody: 'x' })).catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
      } finally {
        client.destroy();
      }
    });
  });
});
