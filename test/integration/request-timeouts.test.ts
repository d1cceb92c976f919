import { randomUUID } from 'node:crypto';
import type { DynamoCall } from '../../sandbox/dynamo-faults';
import { connect, eventually } from '../helpers/clients';
import { startTestProject } from '../helpers/project-sandbox';

/** The message function's request timeout here: short, so a hung call costs the test about a second. */
const REQUEST_TIMEOUT_MS = 300;
/**
 * API Gateway's 29 s, shortened so that a function without a working request timeout fails this test
 * in bounded time: it is still held when the gateway gives up and answers `Internal server error`.
 */
const INTEGRATION_TIMEOUT_MS = 8_000;

/** The rate-limit budget's update, the message function's first DynamoDB call for every frame. */
const isBudgetUpdate = ({ operation, input }: DynamoCall): boolean => operation === 'UpdateItem' && String(input.UpdateExpression).includes('rateCount');

describe('AWS SDK request timeouts of the functions', () => {
  let project: Awaited<ReturnType<typeof startTestProject>>;
  /** Which DynamoDB calls are held unanswered (as a hung DynamoDB would hold them); none by default. */
  let hold: (call: DynamoCall) => boolean = () => false;
  const held: DynamoCall[] = [];

  beforeAll(async () => {
    project = await startTestProject({
      functionEnv: { message: { AWS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } },
      injectDynamoFault: (call) => {
        if (!hold(call)) return undefined;
        held.push(call);
        return 'timeout';
      },
      // Held far longer than the test runs: only the functions' own timeout ends a held call.
      dynamoFaultHoldMs: 120_000,
      limits: { integrationTimeoutMs: INTEGRATION_TIMEOUT_MS },
    });
  });
  afterAll(() => project.sandbox.stop());
  beforeEach(() => {
    hold = () => false;
    held.length = 0;
    project.logs.clear();
  });

  it.each([
    ['a ping whose DynamoDB calls all hang', { action: 'ping', id: 'hung' }, () => true],
    ['a subscribe whose own DynamoDB calls hang (the budget is counted)', { action: 'subscribe', channel: `news-${randomUUID().slice(0, 8)}`, id: 'hung' }, (call: DynamoCall) => !isBudgetUpdate(call)],
  ])('answers %s with a retryable INTERNAL error frame, retried by the SDK first, and the connection then answers ping', async (_label, frame, holds) => {
    const client = await connect(project.sandbox.url, { protocols: randomUUID() });
    client.send({ action: 'ping', id: 'before' });
    expect(await client.next()).toMatchObject({ type: 'pong', id: 'before' });

    hold = holds;
    client.send(frame);
    const answer = await client.next(INTEGRATION_TIMEOUT_MS + 5_000);
    // objectContaining: a failure prints the whole frame (API Gateway's is `{"message":"Internal server error",…}`).
    expect(answer).toEqual(expect.objectContaining({ type: 'error', code: 'INTERNAL', retryable: true, id: 'hung', requestId: expect.any(String) }));
    const line = await eventually(() => project.logs.records('message').find((r) => r.event === 'internal_error'));
    expect(line).toMatchObject({ errorType: 'TimeoutError', requestId: (answer as { requestId: string }).requestId });
    // A timed-out call was sent again (the SDK retries a TimeoutError as transient) before it gave up.
    // Not necessarily the first one held: another function's call (an earlier client's $disconnect)
    // may be held too.
    const calls = held.map((call) => `${call.operation} ${JSON.stringify(call.input)}`);
    expect(calls.some((call, index) => calls.indexOf(call) !== index)).toBe(true);

    hold = () => false;
    client.send({ action: 'ping', id: 'after' });
    expect(await client.next()).toMatchObject({ type: 'pong', id: 'after' });
    client.ws.close();
  });
});
