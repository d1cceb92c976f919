import { deployedQueue, PushTargetError } from '../../scripts/push-target';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/chat-fanout.fifo';

describe('npm run push: a deployed stack\'s queue', () => {
  it('takes the region from an AWS queue URL', () => {
    expect(deployedQueue({ queueUrl: QUEUE })).toEqual({ queueUrl: QUEUE, region: 'eu-west-1' });
    expect(deployedQueue({ queueUrl: 'https://eu-west-1.queue.amazonaws.com/123456789012/chat-fanout.fifo' }).region).toBe('eu-west-1');
    expect(deployedQueue({ queueUrl: 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/chat-fanout.fifo' }).region).toBe('cn-north-1');
  });

  it('takes --region for another endpoint (a VPC endpoint, a local emulator), else leaves it to the SDK chain', () => {
    const local = 'http://127.0.0.1:9324/000000000000/fanout.fifo';
    expect(deployedQueue({ queueUrl: local, region: 'us-east-1' })).toEqual({ queueUrl: local, region: 'us-east-1' });
    expect(deployedQueue({ queueUrl: local })).toEqual({ queueUrl: local, region: undefined });
  });

  it.each([
    ['not a URL', 'chat-fanout.fifo', /is not a URL/],
    ['not http(s)', 'ftp://sqs.eu-west-1.amazonaws.com/123456789012/chat-fanout.fifo', /is not http\(s\)/],
    ['no account id', 'https://sqs.eu-west-1.amazonaws.com/chat-fanout.fifo', /does not name a queue/],
    ['a query string', `${QUEUE}?Action=SendMessage`, /does not name a queue/],
    ['a standard queue', 'https://sqs.eu-west-1.amazonaws.com/123456789012/chat-fanout', /is not FIFO/],
  ])('refuses a queue URL with %s', (_case, queueUrl, message) => {
    expect(() => deployedQueue({ queueUrl })).toThrow(PushTargetError);
    expect(() => deployedQueue({ queueUrl })).toThrow(message);
  });

  it('refuses a region that is not one, or not the queue\'s', () => {
    expect(() => deployedQueue({ queueUrl: QUEUE, region: 'Ireland' })).toThrow(/not an AWS region name/);
    expect(() => deployedQueue({ queueUrl: QUEUE, region: 'us-east-1' })).toThrow('the queue is in eu-west-1 (its URL says so), not in --region us-east-1');
  });
});
