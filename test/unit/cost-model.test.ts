import { appSyncEventsCost, beyondApiGateway, billedUnits, checkPrices, costOf, loadPrices, perMillion, type Prices, type Usage } from '../../scripts/cost-model';

/** Prices fixed here, so the dollars below are computed by hand from them (not from scripts/prices.json). */
const PRICES: Prices = {
  region: 'us-east-1',
  date: '2026-11-30',
  apiGatewayWebSocket: { messagePerMillion: 1, messageBillingBytes: 32768, connectionMinutePerMillion: 0.25, source: 'https://aws.amazon.com/api-gateway/pricing/' },
  lambda: { requestPerMillion: 0.2, gbSecondX86: 0.0000166667, gbSecondArm64: 0.0000133334, source: 'https://aws.amazon.com/lambda/pricing/' },
  dynamodbOnDemand: { writeUnitPerMillion: 0.625, readUnitPerMillion: 0.125, source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/' },
  sqs: { standardPerMillion: 0.4, fifoPerMillion: 0.5, billingBytes: 65536, source: 'https://aws.amazon.com/sqs/pricing/' },
  appSyncEvents: { operationPerMillion: 1, operationBillingBytes: 5120, connectionMinutePerMillion: 0.08, source: 'https://aws.amazon.com/appsync/pricing/' },
};

const USAGE: Usage = {
  dynamodb: { readUnits: 4_000_000, writeUnits: 2_000_000 },
  sqs: { fifoRequests: 3_000_000, standardRequests: 1_000_000 },
  // 400 000 s at 256 MB: 100 000 GB-seconds.
  lambda: { invocations: 5_000_000, billedMs: 400_000_000, memoryMb: 256, architecture: 'x86_64' },
  apiGateway: { messageUnits: 10_000_000, connectionMinutes: 8_000_000 },
};

describe('the cost model', () => {
  it('prices each service from the counts: given counts → dollars computed by hand', () => {
    const cost = costOf(USAGE, PRICES);
    expect(cost.apiGatewayMessages).toBeCloseTo(10, 9); // 10 M × $1/M
    expect(cost.apiGatewayConnectionMinutes).toBeCloseTo(2, 9); // 8 M × $0.25/M
    expect(cost.lambda).toBeCloseTo(1 + 1.66667, 9); // 5 M × $0.20/M + 100 000 GB-s × $0.0000166667
    expect(cost.dynamodb).toBeCloseTo(0.5 + 1.25, 9); // 4 M × $0.125/M + 2 M × $0.625/M
    expect(cost.sqs).toBeCloseTo(1.5 + 0.4, 9); // 3 M × $0.50/M + 1 M × $0.40/M
    expect(cost.total).toBeCloseTo(18.31667, 9);
    expect(beyondApiGateway(cost)).toBeCloseTo(0.631667, 9); // (18.31667 − 12) ÷ 10
    expect(perMillion(cost.total, 10_000_000)).toBeCloseTo(1.831667, 9);
  });

  it('prices GB-seconds at the Arm rate for arm64', () => {
    expect(costOf({ ...USAGE, lambda: { ...USAGE.lambda, architecture: 'arm64' } }, PRICES).lambda).toBeCloseTo(1 + 1.33334, 9);
  });

  it('meters payloads in whole increments, at least one', () => {
    expect([billedUnits(0, 32768), billedUnits(32768, 32768), billedUnits(32769, 32768), billedUnits(5121, 5120)]).toEqual([1, 1, 2, 2]);
  });

  it('prices the same traffic on AppSync Events: operations per 5 KB and connection-minutes', () => {
    // 1 000 publishes of 6 000 bytes (2 operations each) + 20 000 deliveries of 100 bytes + 1 M connection-minutes.
    expect(appSyncEventsCost({ publishes: 1000, publishBytes: 6000, deliveries: 20_000, deliveryBytes: 100, connectionMinutes: 1_000_000 }, PRICES)).toBeCloseTo(0.022 + 0.08, 12);
  });

  it('refuses a count of nothing', () => {
    expect(() => perMillion(1, 0)).toThrow('perMillion: the count must be positive, not 0');
  });

  it('loads the dated price table, and refuses a bad one naming the field', () => {
    const prices = loadPrices();
    expect(prices.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(() => checkPrices({ ...PRICES, date: 'soon' })).toThrow('prices: date must be YYYY-MM-DD, not "soon"');
    expect(() => checkPrices({ ...PRICES, region: 'eu-west-1' })).toThrow('prices: region must be "us-east-1"');
    expect(() => checkPrices({ ...PRICES, sqs: { ...PRICES.sqs, fifoPerMillion: -1 } })).toThrow('prices: sqs.fifoPerMillion must be a positive number, not -1');
    expect(() => checkPrices({ ...PRICES, lambda: { ...PRICES.lambda, source: '' } })).toThrow('prices: lambda.source must name the page');
    expect(() => checkPrices({ ...PRICES, appSyncEvents: undefined })).toThrow('prices: appSyncEvents is missing');
  });
});
