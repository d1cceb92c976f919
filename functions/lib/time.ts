/** Current time in epoch seconds, the unit of DynamoDB's TTL attribute. */
export const nowSeconds = (nowMs: number = Date.now()): number => Math.floor(nowMs / 1000);
