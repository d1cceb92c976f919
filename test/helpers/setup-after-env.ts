import { destroyDynamoClient } from './dynamo';

afterAll(() => destroyDynamoClient());
