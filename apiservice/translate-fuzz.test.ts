// Random bodies thrown at every translation and at validation: an answer or a StatusError (never a
// 5xx), never another exception. Seeded, so a failure reproduces.
import t from 'tap';
import { fullFunction } from '../src/api/fixtures.ts';
import { validateSchema } from '../src/api/validation.ts';
import { StatusError } from './errors.ts';
import { messageToPublic, toPublic } from './translate.ts';
import { applyPatchToBacking, jsonPatchToBacking, mergePatchToBacking } from './translate-patch.ts';
import { objectToBacking } from './translate-request.ts';

let seed = 20250101;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const WORDS = [
  'apiVersion',
  'kind',
  'metadata',
  'managedFields',
  'spec',
  'status',
  'items',
  'rows',
  'object',
  'type',
  'details',
  'causes',
  'message',
  'Status',
  'Table',
  'FunctionRecord',
  'Function',
  'serverless.kube.io/v1',
  'internal.serverless.kube.io/v1',
  'op',
  'path',
  'value',
  '/kind',
  '/apiVersion',
  '',
  '"',
  '\\',
];

function value(depth: number): unknown {
  const r = random();
  if (depth > 3 || r < 0.3) return pick([null, true, 0, -1, 1.5, 2 ** 40, pick(WORDS), 'x'.repeat(40)]);
  if (r < 0.55) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
  return Object.fromEntries(
    Array.from({ length: Math.floor(random() * 5) }, () => [pick(WORDS), value(depth + 1)]),
  );
}

/** A mutated Function: a random field replaced by a random value. */
function mutated(): unknown {
  const fn = structuredClone(fullFunction()) as unknown as Record<string, unknown>;
  let node: Record<string, unknown> = fn;
  for (let i = 0; i < 4; i++) {
    const keys = Object.keys(node);
    if (!keys.length) break;
    const k = pick(keys);
    if (random() < 0.4 || typeof node[k] !== 'object' || node[k] === null) {
      node[k] = value(2);
      break;
    }
    node = node[k] as Record<string, unknown>;
  }
  return fn;
}

const calls: [string, (v: unknown) => unknown][] = [
  ['toPublic', (v) => toPublic(v)],
  ['objectToBacking', (v) => objectToBacking(v, { fieldValidation: pick(['Strict', 'Warn', 'Ignore', '']) })],
  ['mergePatchToBacking', (v) => mergePatchToBacking(v, 'x')],
  ['jsonPatchToBacking', (v) => jsonPatchToBacking(v, 'x')],
  ['applyPatchToBacking', (v) => applyPatchToBacking(v)],
  ['validateSchema', (v) => validateSchema(v)],
  ['messageToPublic', (v) => messageToPublic(JSON.stringify(v) ?? '')],
];

t.test('1,000 random and mutated bodies', async (t) => {
  const failures: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const body = i % 2 ? value(0) : mutated();
    for (const [name, call] of calls) {
      try {
        call(structuredClone(body));
      } catch (e) {
        if (!(e instanceof StatusError) || e.code >= 500)
          failures.push(`${name}(${JSON.stringify(body)}): ${e}`);
      }
    }
  }
  t.same(failures.slice(0, 5), []);
});
