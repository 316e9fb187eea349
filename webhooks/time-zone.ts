/**
 * Time zones as a CronJob's spec.timeZone accepts them: an explicit IANA name (not "Local", not
 * empty) made of the characters Go's time.LoadLocation allows, known to the time zone database
 * (here ICU's, through Intl; kube-controller-manager uses Go's, built from the same IANA data).
 */

/** Each `/`-separated part of a name, as kube-apiserver's CronJob validation checks it. */
const PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** Why `zone` is not a time zone a CronJob accepts, or undefined. */
export function timeZoneProblem(zone: string): string | undefined {
  if (zone.length === 0) return 'timeZone must be nil or non-empty string';
  for (const part of zone.split('/'))
    if (part === '.' || part === '..' || part.startsWith('-') || !PART.test(part))
      return `unknown time zone ${zone}`;
  if (zone.toLowerCase() === 'local')
    return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  const canonical = resolveZone(zone);
  // Intl ignores case; Go reads a file by that exact name ("europe/paris" is no zone there).
  if (!canonical || (canonical.toLowerCase() === zone.toLowerCase() && canonical !== zone))
    return `unknown time zone ${zone}`;
  return undefined;
}

/** Creating an Intl.DateTimeFormat costs ~0.1 ms: answers are kept (a bounded set of names). */
const resolved = new Map<string, string | undefined>();
const MAX_CACHED = 1000;

function resolveZone(zone: string): string | undefined {
  if (resolved.has(zone)) return resolved.get(zone);
  let name: string | undefined;
  try {
    name = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    name = undefined;
  }
  if (resolved.size >= MAX_CACHED) resolved.clear();
  resolved.set(zone, name);
  return name;
}
