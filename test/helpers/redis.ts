/** redis-server per test file, and a link to it that a test can cut (sandbox/redis-server.ts). */
export { cuttableLink, startRedis, type CuttableLink, type RedisServer } from '../../sandbox/redis-server';
