import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { connectionCountKey } from '../../packages/contract/src/table-keys';
import type { DynamoCall } from '../../sandbox/dynamo-faults';
import { connect, eventually } from '../helpers/clients';
import { allItems, documentClient } from '../helpers/dynamo';
import { startTestProject } from '../helpers/project-sandbox';

/** The connect function's request timeout here: the lost answer is held well past it. */
const REQUEST_TIMEOUT_MS = 1_000;
const HOLD_MS = 4_000;

/** The write that stores a connection item: a PutItem, or (with the cap on) the TransactWriteItems that also counts it. */
const connectionPut = (input: Record<string, unknown>): { Item?: { SK?: { S?: string }; type?: { S?: string } } } | undefined => {
  if (input.Item) return input as { Item?: { SK?: { S?: string }; type?: { S?: string } } };
  return (input.TransactItems as Array<{ Put?: { Item?: { SK?: { S?: string }; type?: { S?: string } } } }> | undefined)?.find((item) => item.Put)?.Put;
};
const storesConnection = ({ operation, input }: DynamoCall): boolean =>
  (operation === 'PutItem' || operation === 'TransactWriteItems') && connectionPut(input)?.Item?.type?.S === 'connection';

describe('lost-response on the connect write: DynamoDB applies it, its answer arrives after the request timeout, and the SDK retries it', () => {
  it.each([
    ['off (a conditional PutItem)', 0],
    ['on (a TransactWriteItems that also counts it)', 10],
  ])('with the per-user cap %s the handshake succeeds, the connection is counted once, and nothing is left after disconnect', async (_label, cap) => {
    const lost: DynamoCall[] = [];
    const project = await startTestProject({
      maxConnectionsPerUser: cap,
      functionEnv: { connect: { AWS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } },
      dynamoFaultHoldMs: HOLD_MS,
      injectDynamoFault: (call) => {
        if (!storesConnection(call) || call.attempt !== 1) return undefined;
        lost.push(call);
        return 'lost-response';
      },
    });
    try {
      const userId = randomUUID();
      const client = await connect(project.sandbox.url, { protocols: userId });
      // The write met the fault once, and the SDK sent the same request again.
      expect(lost.map((call) => call.operation)).toEqual([cap > 0 ? 'TransactWriteItems' : 'PutItem']);
      expect(project.logs.records('connect').filter((r) => r.event === 'internal_error')).toEqual([]);
      const mine = async () => (await allItems(project.tableName)).filter((item) => item.userId === userId || item.PK === connectionCountKey(userId).PK);
      expect((await mine()).filter((item) => item.type === 'connection')).toHaveLength(1);
      const counter = async () => (await documentClient().send(new GetCommand({ TableName: project.tableName, Key: connectionCountKey(userId), ConsistentRead: true }))).Item;
      if (cap > 0) expect(await counter()).toMatchObject({ count: 1 });
      else expect(await counter()).toBeUndefined();

      client.ws.close();
      await client.closed;
      // The $disconnect removes the item and counts it out: a counter at 0, or none, and no item.
      await eventually(async () => ((await mine()).some((item) => item.type === 'connection') ? undefined : true), 10_000, 'the connection item to go');
      expect((await mine()).filter((item) => !(item.SK === 'CONNECTIONS' && Number(item.count) === 0))).toEqual([]);
    } finally {
      await project.sandbox.stop();
    }
  }, 60_000);
});
