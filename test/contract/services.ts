/**
 * Suites that need a real PostgreSQL or Redis decide up front whether they can run. Locally a
 * missing server skips the suite with one line; under CI=true it fails the suite, so CI can never
 * pass by silently skipping the scale-out tests.
 */
import { Redis } from 'ioredis';
import pg from 'pg';

export const TEST_PG_URL = process.env.PUSHGATE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.PUSHGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Service {
  available: boolean;
  /** `describe` when the service answered, `describe.skip` otherwise. */
  describe: jest.Describe;
}

/**
 * Probe a service before any describe block is declared (top-level await).
 * @param name - "PostgreSQL", "Redis": named in the skip line and the CI failure.
 * @param where - host:port shown to the reader.
 */
export async function requireService(name: string, where: string, probe: () => Promise<void>): Promise<Service> {
  try {
    await probe();
    return { available: true, describe };
  } catch (err) {
    const reason = (err as Error).message || String(err);
    if (process.env.CI === 'true') {
      throw new Error(`the ${name} suite must run under CI=true, but there is no ${name} at ${where} (${reason})`);
    }
    console.warn(`skipping ${name} suite: no server at ${where} (${reason})`);
    return { available: false, describe: describe.skip };
  }
}

export function requirePostgres(url = TEST_PG_URL): Promise<Service> {
  return requireService('PostgreSQL', hostOf(url, 5432), async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => {});
    }
  });
}

export function requireRedis(url = TEST_REDIS_URL): Promise<Service> {
  return requireService('Redis', hostOf(url, 6379), async () => {
    const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    redis.on('error', () => {});
    try {
      await redis.connect();
      await redis.ping();
      await redis.quit();
    } finally {
      if (redis.status !== 'end') redis.disconnect();
    }
  });
}

/** `url` with PostgreSQL's `search_path` pointed at `schema` (one schema per test run). */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

function hostOf(url: string, port: number): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || port}`;
  } catch {
    return url;
  }
}
