import { randomUUID } from 'node:crypto';
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ListScheduleGroupsCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FANOUT_QUEUE, startProjectSandbox } from '../../sandbox/project';
import { connect, eventually, managementClient } from '../helpers/clients';
import { startTestProject } from '../helpers/project-sandbox';

/** Longer than any test runs: a call held this long is only let through by `release()`. */
const HOUR = 3_600_000;
const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

/** Settles `promise` into a flag, so a test can see that it has not settled yet. */
function track<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { settled: () => settled, promise };
}

describe('modelled round trips per AWS service (sandbox latency)', () => {
  it('holds each service’s calls for its round trip: a connect waits at Lambda invoke, then at DynamoDB; a post, an SQS and a Scheduler call wait until released', async () => {
    const { sandbox } = await startTestProject({ latency: { dynamodb: HOUR, sqs: HOUR, scheduler: HOUR, management: HOUR, lambda: HOUR } });
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: sandbox.sqsEndpoint, credentials, maxAttempts: 1 });
    const scheduler = new SchedulerClient({ region: 'us-east-1', endpoint: sandbox.schedulerEndpoint, credentials, maxAttempts: 1 });
    const management = managementClient(sandbox.managementEndpoint);
    try {
      const { latency } = sandbox;
      // The authorizer's invocation waits at Lambda invoke; nothing has reached DynamoDB.
      const opening = track(connect(sandbox.url, { protocols: randomUUID(), origin: 'https://app.example.com' }));
      await eventually(() => (latency.held('lambda') === 1 ? true : undefined), 20_000, 'the authorizer invocation held');
      expect(sandbox.functions.get('authorizer')!.invocations).toBe(1);
      expect(latency.calls.dynamodb).toBe(0);
      latency.set({ lambda: 0 });
      latency.release();
      // Then $connect runs, and its write waits at DynamoDB: the handshake is still open.
      await eventually(() => (latency.held('dynamodb') >= 1 ? true : undefined), 20_000, 'a DynamoDB call held');
      expect(opening.settled()).toBe(false);
      latency.set({ dynamodb: 0 });
      latency.release();
      const client = await opening.promise;

      const [connectionId] = [...sandbox.gateway.connections.keys()];
      const post = track(management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"held":true}' })));
      await eventually(() => (latency.held('management') === 1 ? true : undefined), 20_000, 'the post held');
      const queued = track(sqs.send(new GetQueueAttributesCommand({ QueueUrl: sandbox.queues.get(FANOUT_QUEUE)!.url, AttributeNames: ['All'] })));
      await eventually(() => (latency.held('sqs') === 1 ? true : undefined), 20_000, 'the SQS call held');
      const listed = track(scheduler.send(new ListScheduleGroupsCommand({})));
      await eventually(() => (latency.held('scheduler') === 1 ? true : undefined), 20_000, 'the Scheduler call held');
      expect([post.settled(), queued.settled(), listed.settled()]).toEqual([false, false, false]);

      latency.release();
      await post.promise;
      expect(await client.next(20_000)).toEqual({ held: true });
      expect((await queued.promise).Attributes?.FifoQueue).toBe('true');
      expect((await listed.promise).ScheduleGroups?.length).toBeGreaterThan(0);
      expect(latency.calls).toEqual(expect.objectContaining({ management: 1, sqs: 1, scheduler: 1 }));
      client.ws.close();
    } finally {
      sqs.destroy();
      scheduler.destroy();
      management.destroy();
      await sandbox.stop();
    }
  }, 120_000);

  it('refuses a latency for an unknown service or of no whole ms, before starting anything', async () => {
    // The endpoint is never reached: the option is refused first.
    const endpoint = 'http://127.0.0.1:9';
    await expect(startProjectSandbox({ dynamoEndpoint: endpoint, port: 0, latency: { dynamo: 5 } as never })).rejects.toThrow('latency: "dynamo" is not a service (dynamodb, sqs, scheduler, management, lambda)');
    await expect(startProjectSandbox({ dynamoEndpoint: endpoint, port: 0, latency: { sqs: -1 } })).rejects.toThrow('latency.sqs must be whole milliseconds from 0 to 3600000, not -1');
  });
});
