/** The Redis address as users give it (`redis://…`, `rediss://…` for TLS), checked early and printed without secrets. */

/** Throws, naming `field`, unless `url` is a redis:// or rediss:// URL with a host. */
export function checkRedisUrl(url: unknown, field: string): string {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new Error(`${field} must be a Redis URL such as redis://127.0.0.1:6379, got ${JSON.stringify(url)}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${field} ${JSON.stringify(redactRedisUrl(url))} is not a URL; give one such as redis://127.0.0.1:6379 (rediss:// for TLS)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`${field} ${redactRedisUrl(url)}: the scheme must be redis:// or rediss:// (TLS), got ${parsed.protocol}//`);
  }
  if (parsed.hostname === '') throw new Error(`${field} ${redactRedisUrl(url)}: the URL names no host; give one such as redis://127.0.0.1:6379`);
  return url;
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}
