import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withRequestTimeouts } from '../config/aws-client';
import type { CommonConfig } from '../config/init';
import { createConnectionStore, type ConnectionStore } from './connection-store';

/**
 * A document client with the marshalling options this project relies on. The endpoint comes from the
 * SDK's own settings (`AWS_ENDPOINT_URL_DYNAMODB` points it at DynamoDB Local); the default client has
 * the functions' request timeouts (see config/aws-client.ts).
 */
export function createDocumentClient(client: DynamoDBClient = new DynamoDBClient(withRequestTimeouts({}))): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** The connection store over a document client created once per container. */
export const connectionStoreFor = (config: CommonConfig, client: DynamoDBDocumentClient = createDocumentClient()): ConnectionStore =>
  createConnectionStore({ client, tableName: config.tableName });
