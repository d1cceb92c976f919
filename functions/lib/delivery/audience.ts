import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EVERYONE_INDEX, EVERYONE_SHARDS, TENANT_INDEX, USER_INDEX, channelPk, connectionIdOfEveryoneSk, everyonePk, tenantPk, userPk } from '../../../packages/contract/src/table-keys';
import type { Target } from '../../../packages/contract/src/queue-message';
import { nowSeconds } from '../time';

const CONNECTION_PREFIX = 'CONNECTION#';

interface AudienceQuery {
  IndexName?: string;
  partitionKey: string;
  sortKey: string;
  value: string;
}

function queriesFor(target: Exclude<Target, { type: 'connection' }>): AudienceQuery[] {
  switch (target.type) {
    case 'user':
      return [{ IndexName: USER_INDEX, partitionKey: 'GSI1PK', sortKey: 'GSI1SK', value: userPk(target.userId) }];
    case 'tenant':
      return [{ IndexName: TENANT_INDEX, partitionKey: 'GSI2PK', sortKey: 'GSI2SK', value: tenantPk(target.tenantId) }];
    case 'broadcast':
      return Array.from({ length: EVERYONE_SHARDS }, (_, shard) => ({ IndexName: EVERYONE_INDEX, partitionKey: 'GSI3PK', sortKey: 'GSI3SK', value: everyonePk(shard) }));
    case 'channel':
      return [{ partitionKey: 'PK', sortKey: 'SK', value: channelPk(target.channel) }];
  }
}

/**
 * Pages through the live connection ids a target reaches, by Query on the table or an index (never
 * Scan): a user's (GSI1), a tenant's (GSI2), everyone (GSI3, shard by shard) or a channel's
 * subscribers (its partition). Items past their `ttl` are skipped. Pages are DynamoDB's own (1 MB
 * of items read) unless `pageSize` caps them: a channel of 2,000 subscribers is one Query.
 *
 * @example
 * for await (const ids of audiencePages({ client, tableName, target: { type: 'user', userId } })) console.log(ids);
 */
export async function* audiencePages({
  client,
  tableName,
  target,
  pageSize,
  now = nowSeconds(),
}: {
  client: DynamoDBDocumentClient;
  tableName: string;
  target: Target;
  pageSize?: number;
  now?: number;
}): AsyncGenerator<string[]> {
  if (target.type === 'connection') {
    yield [target.connectionId];
    return;
  }
  // Everyone's shards are paged side by side; pages are yielded as they arrive.
  yield* merge(queriesFor(target).map((query) => pagesOf(client, tableName, query, pageSize, now)));
}

async function* pagesOf(client: DynamoDBDocumentClient, tableName: string, query: AudienceQuery, pageSize: number | undefined, now: number): AsyncGenerator<string[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: query.IndexName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        FilterExpression: '#ttl > :now',
        ProjectionExpression: '#sk',
        ExpressionAttributeNames: { '#pk': query.partitionKey, '#sk': query.sortKey, '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':pk': query.value, ':prefix': CONNECTION_PREFIX, ':now': now },
        Limit: pageSize,
        ExclusiveStartKey: startKey,
        // A channel's subscribers are read consistently, so a subscription written just before (a
        // resumed connection's join, in the same FIFO group) is never missed; indexes cannot be.
        ConsistentRead: query.IndexName === undefined,
      }),
    );
    const ids = (result.Items ?? []).map((item) => {
      const sk = item[query.sortKey] as string;
      return query.IndexName === EVERYONE_INDEX ? connectionIdOfEveryoneSk(sk) : sk.slice(CONNECTION_PREFIX.length);
    });
    if (ids.length > 0) yield ids;
    startKey = result.LastEvaluatedKey;
  } while (startKey);
}

/** Interleaves generators, each advancing while the others' requests are in flight. */
async function* merge<T>(sources: Array<AsyncGenerator<T>>): AsyncGenerator<T> {
  const next = (source: AsyncGenerator<T>, index: number) => source.next().then((result) => ({ result, index }));
  const pending = new Map(sources.map((source, index) => [index, next(source, index)]));
  while (pending.size > 0) {
    const { result, index } = await Promise.race(pending.values());
    if (result.done) pending.delete(index);
    else {
      pending.set(index, next(sources[index]!, index));
      yield result.value;
    }
  }
}
