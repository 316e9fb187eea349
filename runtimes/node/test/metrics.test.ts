import { Counter, Histogram, Registry } from 'prom-client';
import t from 'tap';
import { DURATION_BUCKETS, FixedLabelsHistogram, StatusCounter } from '../src/metrics.js';

const labels = { function: 'fn "q"', namespace: 'ns' };
const observations: Array<[number, number]> = [
  [200, 0.0004],
  [200, 0.005],
  [500, 0.0051],
  [200, 0.3],
  [504, 61],
  [200, 60],
  [413, 0],
];

/** The same observations through prom-client's own Counter and Histogram, as the runtime used them. */
function stock() {
  const registry = new Registry();
  const counter = new Counter({
    name: 'function_invocations_total',
    help: 'Invocations.',
    labelNames: ['function', 'namespace', 'code'],
    registers: [registry],
  });
  const histogram = new Histogram({
    name: 'function_duration_seconds',
    help: 'Duration.',
    labelNames: ['function', 'namespace'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  }).labels(labels);
  return {
    registry,
    observe: (status: number, seconds: number) => {
      counter.labels({ ...labels, code: String(status) }).inc();
      histogram.observe(seconds);
    },
  };
}

function custom() {
  const registry = new Registry();
  const counter = new StatusCounter('function_invocations_total', 'Invocations.', labels);
  const histogram = new FixedLabelsHistogram(
    'function_duration_seconds',
    'Duration.',
    DURATION_BUCKETS,
    labels,
  );
  // biome-ignore lint/suspicious/noExplicitAny: custom collectors have the registry's metric shape
  for (const metric of [counter, histogram]) registry.registerMetric(metric as any);
  return {
    registry,
    observe: (status: number, seconds: number) => {
      counter.inc(status);
      histogram.observe(seconds);
    },
  };
}

t.test('the custom collectors expose what prom-client would, in text and JSON', async (t) => {
  const a = stock();
  const b = custom();
  t.equal(await b.registry.metrics(), await a.registry.metrics(), 'before any observation');
  for (const [status, seconds] of observations) {
    a.observe(status, seconds);
    b.observe(status, seconds);
  }
  const text = await b.registry.metrics();
  t.equal(text, await a.registry.metrics());
  t.match(text, /function_duration_seconds_bucket\{le="0\.005",function="fn \\"q\\"",namespace="ns"\} 3/);
  t.strictSame(await b.registry.getMetricsAsJSON(), await a.registry.getMetricsAsJSON());
  a.registry.resetMetrics();
  b.registry.resetMetrics();
  t.equal(await b.registry.metrics(), await a.registry.metrics(), 'after a reset');
});
