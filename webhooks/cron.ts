/**
 * Cron schedules exactly as a Kubernetes CronJob accepts them: robfig/cron v3's ParseStandard
 * (5 fields; lists, ranges, steps, `*` and `?`, month and weekday names; @yearly, @annually,
 * @monthly, @weekly, @daily, @midnight, @hourly and `@every <duration>`), plus the CronJob rule that
 * a schedule may not carry TZ= or CRON_TZ= (spec.timeZone says where it runs). The messages are
 * the ones kube-apiserver gives for the same schedule on a CronJob.
 */

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(WEEKDAYS.map((d, i) => [d, i])) },
];

const DESCRIPTORS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);
/** Go's time.ParseDuration grammar. */
const GO_DURATION = /^[-+]?(0|((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
/** Go's strings.Fields separators (unicode.IsSpace). */
const WHITE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Every reason kube-apiserver would refuse `schedule` on a CronJob; [] when it accepts it. */
export function cronScheduleProblems(schedule: string): string[] {
  const problems: string[] = [];
  const parseError = parseStandard(schedule);
  if (parseError) problems.push(parseError);
  if (schedule.includes('TZ'))
    problems.push('cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
  return problems;
}

/** robfig/cron's ParseStandard: the error it returns, or undefined. */
function parseStandard(input: string): string | undefined {
  if (input.length === 0) return 'empty spec string';
  let spec = input;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    // The zone is Go's to check; CronJobs refuse the prefix anyway (see cronScheduleProblems).
    const space = spec.indexOf(' ');
    spec = space < 0 ? '' : spec.slice(space).trim();
  }
  if (spec.startsWith('@')) return descriptorError(spec);
  const fields = spec.split(WHITE_SPACE).filter(Boolean);
  if (fields.length !== FIELDS.length)
    return `expected exactly ${FIELDS.length} fields, found ${fields.length}: [${fields.join(' ')}]`;
  for (const [i, field] of fields.entries()) {
    for (const expr of field.split(',').filter(Boolean)) {
      const error = rangeError(expr, FIELDS[i]!);
      if (error) return error;
    }
  }
  return undefined;
}

function descriptorError(descriptor: string): string | undefined {
  if (DESCRIPTORS.has(descriptor)) return undefined;
  const every = '@every ';
  if (descriptor.startsWith(every)) {
    const duration = descriptor.slice(every.length);
    if (GO_DURATION.test(duration)) return undefined;
    return `failed to parse duration ${descriptor}: time: invalid duration ${JSON.stringify(duration)}`;
  }
  return `unrecognized descriptor: ${descriptor}`;
}

type Parsed = { value: number } | { error: string };

function rangeError(expr: string, bounds: Bounds): string | undefined {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
  } else {
    const low = parseIntOrName(lowAndHigh[0]!, bounds.names);
    if ('error' in low) return low.error;
    start = low.value;
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) {
      const high = parseIntOrName(lowAndHigh[1]!, bounds.names);
      if ('error' in high) return high.error;
      end = high.value;
    } else return `too many hyphens: ${expr}`;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    const parsed = mustParseInt(rangeAndStep[1]!);
    if ('error' in parsed) return parsed.error;
    step = parsed.value;
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1) end = bounds.max;
  } else if (rangeAndStep.length > 2) return `too many slashes: ${expr}`;
  if (start < bounds.min) return `beginning of range (${start}) below minimum (${bounds.min}): ${expr}`;
  if (end > bounds.max) return `end of range (${end}) above maximum (${bounds.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  return undefined;
}

function parseIntOrName(expr: string, names?: Record<string, number>): Parsed {
  const named = names?.[expr.toLowerCase()];
  return named === undefined || !Object.hasOwn(names!, expr.toLowerCase())
    ? mustParseInt(expr)
    : { value: named };
}

const INT64_MAX = 2n ** 63n - 1n;

/** strconv.Atoi, then no negatives. */
function mustParseInt(expr: string): Parsed {
  if (!/^[+-]?\d+$/.test(expr))
    return {
      error: `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`,
    };
  const value = BigInt(expr);
  if (value > INT64_MAX || value < -INT64_MAX - 1n)
    return {
      error: `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`,
    };
  if (value < 0n) return { error: `negative number (${value}) not allowed: ${expr}` };
  return { value: Number(value) };
}
