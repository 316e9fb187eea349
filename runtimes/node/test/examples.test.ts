import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { InvocationContext } from '../src/context.js';
import { loadHandler } from '../src/loader.js';
import { createLogger } from '../src/logger.js';

const examples = fileURLToPath(new URL('../../../examples/node/', import.meta.url));
const lines: string[] = [];

function context(timeoutMs = 1000) {
  return new InvocationContext({
    functionName: 'example',
    namespace: 'default',
    invocationId: 'id-1',
    deadlineMs: Date.now() + timeoutMs,
    log: createLogger((l) => lines.push(l)),
  });
}

const event = (fields: Record<string, unknown> = {}) =>
  ({ body: null, headers: {}, method: 'GET', path: '/', query: {}, ...fields }) as never;

const load = (name: string) => loadHandler(join(examples, name), 'handler.handle');

t.test('hello', async (t) => {
  const handle = await load('hello');
  t.equal(await handle(event({ query: { name: 'Ada' } }), context()), 'Hello, Ada!\n');
  t.equal(await handle(event(), context()), 'Hello, world!\n');
  t.ok(lines.some((l) => JSON.parse(l).msg === 'greeting'));
});

t.test('echo-json', async (t) => {
  const handle = await load('echo-json');
  t.strictSame(await handle(event({ body: { a: [1] } }), context()), { a: [1] });
  t.match(await handle(event({ body: 'text' }), context()), { statusCode: 400 });
});

t.test('error', async (t) => {
  const handle = await load('error');
  await t.rejects(async () => handle(event(), context()), {
    message: 'something went wrong in the function',
  });
  const err = await Promise.resolve(handle(event({ query: { kind: 'custom' } }), context())).catch(
    (e: Error) => e,
  );
  t.equal((err as Error).constructor.name, 'PaymentDeclined');
});

t.test('slow', async (t) => {
  const handle = await load('slow');
  t.strictSame(await handle(event({ query: { ms: '20' } }), context()), { sleptMs: 20 });
  const ctx = context();
  const pending = handle(event({ query: { ms: '5000' } }), ctx) as Promise<unknown>;
  ctx.abort(new Error('timeout'));
  await t.rejects(pending, { name: 'AbortError' }, 'the wait stops when the invocation times out');
});
