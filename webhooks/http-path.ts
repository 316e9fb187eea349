/**
 * Paths of HTTP triggers: public routes on the gateway, one function per path across the cluster.
 * A path is canonical so that two spellings of one route cannot both be claimed: segments of URL
 * path characters (RFC 3986 pchar, percent-escapes included), no empty, `.` or `..` segment, no
 * trailing slash. `/fn/...` belongs to the gateway's own per-function routes.
 */

const SEGMENT = /^([A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;
export const RESERVED_PREFIX = '/fn';

/** Why `path` cannot be an HTTP trigger path, or undefined. */
export function httpPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must begin with "/"';
  if (path === '/') return undefined;
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '')) return 'may not contain "//" or end with "/"';
  if (segments.some((s) => s === '.' || s === '..')) return 'may not contain "." or ".." segments';
  if (!segments.every((s) => SEGMENT.test(s)))
    return 'may contain only letters, digits, "-._~!$&\'()*+,;=:@" and %-escapes between slashes';
  if (segments[0] === RESERVED_PREFIX.slice(1))
    return `${RESERVED_PREFIX}/ is reserved for the gateway's routes`;
  return undefined;
}
