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
  const resolved = resolveZone(zone);
  // Intl ignores case; Go reads a file by that exact name ("europe/paris" is no zone there).
  if (!resolved || (resolved.toLowerCase() === zone.toLowerCase() && resolved !== zone))
    return `unknown time zone ${zone}`;
  return undefined;
}

function resolveZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
