// @ts-check
/**
 * Prometheus metrics (docs/runtime-contract.md §2).
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * @typedef {object} RuntimeMetrics
 * @property {Registry} registry
 * @property {(status: number, seconds: number) => void} observe one finished invocation
 * @property {() => void} coldStart the first invocation of this process
 */

/**
 * @param {{ functionName: string, namespace: string }} identity
 * @returns {RuntimeMetrics}
 */
export function createMetrics({ functionName, namespace }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labels = { function: functionName, namespace };
  const invocations = new Counter({
    name: 'function_invocations_total',
    help: 'Invocations of the function, by HTTP status sent.',
    labelNames: ['function', 'namespace', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'function_duration_seconds',
    help: 'Time from request received to response sent, in seconds.',
    labelNames: ['function', 'namespace'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  }).labels(labels);
  const coldStarts = new Counter({
    name: 'function_cold_starts_total',
    help: 'Invocations that were the first of their process (0 or 1).',
    labelNames: ['function', 'namespace'],
    registers: [registry],
  });
  coldStarts.inc(labels, 0);
  const coldStartsChild = coldStarts.labels(labels);

  /** @type {Map<number, import('prom-client').Counter.Internal>} */
  const byStatus = new Map();
  return {
    registry,
    observe(status, seconds) {
      let child = byStatus.get(status);
      if (child === undefined) {
        child = invocations.labels({ ...labels, code: String(status) });
        byStatus.set(status, child);
      }
      child.inc();
      duration.observe(seconds);
    },
    coldStart() {
      coldStartsChild.inc();
    },
  };
}
