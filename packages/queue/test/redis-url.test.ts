import { describe, expect, test } from 'vitest';
import { parseRedisUrl, QueueUrlError, redact } from '@kramers/queue';

describe('parseRedisUrl', () => {
  test('host, port and database; 6379 and 0 by default', () => {
    expect(parseRedisUrl('redis://10.0.0.5:6380/2')).toEqual({ host: '10.0.0.5', port: 6380, db: 2 });
    expect(parseRedisUrl('redis://localhost')).toEqual({ host: 'localhost', port: 6379, db: 0 });
    expect(parseRedisUrl('redis://[::1]:7000')).toEqual({ host: '::1', port: 7000, db: 0 });
  });

  test('user and password (percent-decoded), and TLS for rediss://', () => {
    expect(parseRedisUrl('rediss://worker:p%40ss@redis.example:6380')).toEqual({
      host: 'redis.example',
      port: 6380,
      db: 0,
      username: 'worker',
      password: 'p@ss',
      tls: { servername: 'redis.example' },
    });
    expect(parseRedisUrl('redis://:secret@h:1')).toMatchObject({ password: 'secret' });
    expect(parseRedisUrl('redis://:secret@h:1')).not.toHaveProperty('username');
  });

  test('bad URLs are refused naming the problem and the form that works, never echoing the password', () => {
    const cases: [string, RegExp][] = [
      ['localhost:6379', /scheme "localhost:" is not redis: or rediss:/],
      ['http://h:1', /scheme "http:"/],
      ['redis://h:1/x', /database "x" is not an integer/],
      ['redis://h:1?db=2', /query strings/],
      ['not a url', /not a URL/],
    ];
    for (const [url, problem] of cases) {
      expect(() => parseRedisUrl(url)).toThrow(QueueUrlError);
      expect(() => parseRedisUrl(url)).toThrow(problem);
      expect(() => parseRedisUrl(url)).toThrow(/write redis:\/\/host:port/);
    }
    expect(() => parseRedisUrl('redis://:hunter2@h:1/x')).toThrow(/redis:\/\/:\*\*\*@h:1\/x/);
    expect(() => parseRedisUrl('redis://:hunter2@h:1/x')).not.toThrow(/hunter2/);
    expect(redact('rediss://u:pw@h:1/0')).toBe('rediss://u:***@h:1/0');
    expect(redact('redis://h:1')).toBe('redis://h:1');
  });
});
