import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionFailedAt, ifConditionHolds } from '../../functions/lib/store/conditional-write';
import { allItems, createTestTable, documentClient } from '../helpers/dynamo';

describe('conditional writes on DynamoDB Local', () => {
  let tableName: string;
  const put = (id: string, value: string) =>
    documentClient().send(new PutCommand({ TableName: tableName, Item: { PK: id, SK: 'METADATA', value }, ConditionExpression: 'attribute_not_exists(PK)' }));

  beforeAll(async () => {
    tableName = await createTestTable('conditional');
  });

  it('gives the output of a write whose condition holds, and undefined for one whose condition fails, writing nothing', async () => {
    expect(await ifConditionHolds(put('A', 'first'))).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(await ifConditionHolds(put('A', 'second'))).toBeUndefined();
    expect(await allItems(tableName)).toEqual([{ PK: 'A', SK: 'METADATA', value: 'first' }]);
  });

  it('throws any other error', async () => {
    const invalid = documentClient().send(
      new UpdateCommand({ TableName: tableName, Key: { PK: 'A', SK: 'METADATA' }, UpdateExpression: 'SET #v = :v', ConditionExpression: 'attribute_exists(PK)', ExpressionAttributeValues: { ':v': 1 } }),
    );
    await expect(ifConditionHolds(invalid)).rejects.toThrow(/#v/);
  });

  it('tells which item of a cancelled transaction failed its condition', async () => {
    await put('B', 'first');
    const error = await documentClient()
      .send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: { PK: 'C', SK: 'METADATA', value: 'first' }, ConditionExpression: 'attribute_not_exists(PK)' } },
            { Put: { TableName: tableName, Item: { PK: 'B', SK: 'METADATA', value: 'second' }, ConditionExpression: 'attribute_not_exists(PK)' } },
          ],
        }),
      )
      .then(() => undefined, (thrown: unknown) => thrown);
    expect([conditionFailedAt(error, 0), conditionFailedAt(error, 1), conditionFailedAt(error, 2)]).toEqual([false, true, false]);
    expect(conditionFailedAt(await put('B', 'third').catch((thrown: unknown) => thrown), 0)).toBe(false);
    expect((await allItems(tableName)).filter((item) => item.PK !== 'A')).toEqual([{ PK: 'B', SK: 'METADATA', value: 'first' }]);
  });
});
