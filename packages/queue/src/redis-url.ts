import type { RedisOptions } from 'ioredis';

/** What went wrong with a queue URL, and how to write one that works. */
export class QueueUrlError extends Error {
  constructor(url: string, problem: string) {
    super(`queue URL "${redact(url)}": ${problem}; write redis://host:port, redis://:password@host:port/db or rediss://host:port (TLS)`);
    this.name = 'QueueUrlError';
  }
}

/** The URL with its password replaced, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/**
 * ioredis connection options from a redis:// or rediss:// URL (the IANA redis URI scheme: user, password, host,
 * port, database number as the path). rediss:// turns TLS on, verifying the server's certificate.
 */
export function parseRedisUrl(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueUrlError(url, 'not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueUrlError(url, `scheme "${u.protocol}" is not redis: or rediss:`);
  if (u.hostname === '') throw new QueueUrlError(url, 'no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) throw new QueueUrlError(url, `database "${path}" is not an integer ≥ 0`);
  if (u.search !== '' || u.hash !== '') throw new QueueUrlError(url, 'query strings and fragments are not understood');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    db,
    ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password !== '' ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  };
}
