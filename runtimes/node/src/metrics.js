// @ts-check
/**
 * Prometheus metrics (docs/runtime-contract.md §2).
 *
 * The two metrics updated on every invocation are kept in plain numbers and exposed through
 * prom-client's registry as custom collectors: prom-client's own Counter and Histogram hash their
 * label set into a string key and look it up on every update, which cost more CPU per invocation
 * than the rest of the runtime's bookkeeping (docs/decisions/0106). The text they produce is the
 * same as prom-client's (metrics.test.ts compares them).
 */
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';

export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * @typedef {object} RuntimeMetrics
 * @property {Registry} registry
 * @property {(status: number, seconds: number) => void} observe one finished invocation
 * @property {() => void} coldStart the first invocation of this process
 */

/** @typedef {{ function: string, namespace: string }} IdentityLabels */
/**
 * One sample as prom-client's registry formats it.
 * @typedef {{ labels: Record<string, string | number>, value: number, metricName?: string,
 *   sharedLabels?: Record<string, string>, exemplar?: null | undefined }} Sample
 */
/** @typedef {{ name: string, help: string, type: string, values: Sample[], aggregator: string }} MetricData */

/** A counter by HTTP status code, for fixed identity labels. */
export class StatusCounter {
  /** @type {Map<number, number>} */
  #counts = new Map();
  #labels;

  /**
   * @param {string} name
   * @param {string} help
   * @param {IdentityLabels} labels
   */
  constructor(name, help, labels) {
    this.name = name;
    this.help = help;
    this.type = 'counter';
    this.aggregator = 'sum';
    this.#labels = labels;
  }

  /** @param {number} status */
  inc(status) {
    this.#counts.set(status, (this.#counts.get(status) ?? 0) + 1);
  }

  /** @returns {MetricData} */
  get() {
    /** @type {Sample[]} */
    const values = [];
    for (const [code, value] of this.#counts) {
      values.push({ value, labels: { ...this.#labels, code: String(code) } });
    }
    return { help: this.help, name: this.name, type: this.type, values, aggregator: this.aggregator };
  }

  reset() {
    this.#counts.clear();
  }
}

/** A histogram for fixed identity labels; observations before the first one leave it empty. */
export class FixedLabelsHistogram {
  #bounds;
  #labels;
  /** per bucket, not cumulative; the last slot counts values above every bound */
  #counts;
  #sum = 0;
  #count = 0;

  /**
   * @param {string} name
   * @param {string} help
   * @param {number[]} bounds ascending upper bounds
   * @param {IdentityLabels} labels
   */
  constructor(name, help, bounds, labels) {
    this.name = name;
    this.help = help;
    this.type = 'histogram';
    this.aggregator = 'sum';
    this.#bounds = bounds;
    this.#labels = labels;
    this.#counts = new Float64Array(bounds.length + 1);
  }

  /** @param {number} value */
  observe(value) {
    let i = 0;
    while (i < this.#bounds.length && value > /** @type {number} */ (this.#bounds[i])) i++;
    this.#counts[i] = /** @type {number} */ (this.#counts[i]) + 1;
    this.#sum += value;
    this.#count += 1;
  }

  /** @returns {MetricData} the shape prom-client's Histogram#getForPromString returns */
  getForPromString() {
    /** @type {Sample[]} */
    const values = [];
    if (this.#count > 0) {
      const bucket = `${this.name}_bucket`;
      const sharedLabels = this.#labels;
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += /** @type {number} */ (this.#counts[i]);
        values.push({ labels: { le }, sharedLabels, value: cumulative, metricName: bucket, exemplar: null });
      });
      values.push(
        { labels: { le: '+Inf' }, sharedLabels, value: this.#count, metricName: bucket, exemplar: null },
        { labels: {}, sharedLabels, value: this.#sum, metricName: `${this.name}_sum`, exemplar: undefined },
        {
          labels: {},
          sharedLabels,
          value: this.#count,
          metricName: `${this.name}_count`,
          exemplar: undefined,
        },
      );
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** @returns {MetricData} labels merged, as prom-client's Histogram#get returns them */
  get() {
    const data = this.getForPromString();
    data.values = data.values.map(({ sharedLabels, labels, ...rest }) => ({
      ...rest,
      labels: { ...labels, ...sharedLabels },
    }));
    return data;
  }

  reset() {
    this.#counts.fill(0);
    this.#sum = 0;
    this.#count = 0;
  }
}

/**
 * @param {{ functionName: string, namespace: string }} identity
 * @returns {RuntimeMetrics}
 */
export function createMetrics({ functionName, namespace }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labels = { function: functionName, namespace };
  const invocations = new StatusCounter(
    'function_invocations_total',
    'Invocations of the function, by HTTP status sent.',
    labels,
  );
  const duration = new FixedLabelsHistogram(
    'function_duration_seconds',
    'Time from request received to response sent, in seconds.',
    DURATION_BUCKETS,
    labels,
  );
  for (const metric of [invocations, duration]) {
    registry.registerMetric(/** @type {import('prom-client').Metric} */ (/** @type {unknown} */ (metric)));
  }
  const coldStarts = new Counter({
    name: 'function_cold_starts_total',
    help: 'Invocations that were the first of their process (0 or 1).',
    labelNames: ['function', 'namespace'],
    registers: [registry],
  });
  coldStarts.inc(labels, 0);

  return {
    registry,
    observe(status, seconds) {
      invocations.inc(status);
      duration.observe(seconds);
    },
    coldStart() {
      coldStarts.inc(labels);
    },
  };
}
