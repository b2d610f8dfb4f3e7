/**
 * Which requests are refused before any lookup: anything but GET/HEAD, paths that try to climb (`..` raw or
 * percent-encoded, backslashes, NUL), and — while bound to loopback — Host headers naming another site, which is
 * how a web page elsewhere would reach a local server through DNS rebinding.
 */
import { isLoopbackHost } from './loopback.js';

export type Refusal = { readonly status: 400 | 403 | 405; readonly reason: string };

export const ALLOWED_METHODS = 'GET, HEAD';

export function refuseMethod(method: string | undefined): Refusal | undefined {
  return method === 'GET' || method === 'HEAD' ? undefined : { status: 405, reason: `method ${method ?? '(none)'} not allowed; use GET or HEAD` };
}

/** The path part of a raw request target, or a refusal. Query strings are ignored; the page sends none. */
export function requestPath(rawUrl: string | undefined): { path: string } | Refusal {
  const raw = rawUrl ?? '';
  if (!raw.startsWith('/')) return { status: 400, reason: 'request target must be an absolute path' };
  const path = raw.split('?', 1)[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return { status: 400, reason: 'malformed percent-encoding in path' };
  }
  // Checked on both forms: a proxy or a later decode must not turn an accepted path into a climbing one.
  for (const form of [path, decoded]) {
    if (form.includes('..') || form.includes('\\') || form.includes('\0') || /%2e|%2f|%5c/i.test(form)) {
      return { status: 400, reason: 'path traversal refused' };
    }
  }
  return { path };
}

/** While bound to loopback, only requests addressed to a loopback name are served. */
export function refuseHost(hostHeader: string | undefined, allowNetwork: boolean): Refusal | undefined {
  if (allowNetwork) return undefined;
  if (hostHeader === undefined) return { status: 403, reason: 'missing Host header' };
  const name = hostHeader.replace(/:\d+$/, '');
  return isLoopbackHost(name) ? undefined : { status: 403, reason: `Host '${hostHeader}' is not this loopback server` };
}
