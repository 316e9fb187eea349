import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { Drain } from './drain.ts';

/** A server whose handler the test controls: /slow waits for `release`, /watch streams forever. */
async function fixture(t: Test) {
  const drain = new Drain();
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const arrived: string[] = [];
  const server = createServer(async (req, res: ServerResponse) => {
    drain.track(res);
    arrived.push(req.url ?? '');
    if (req.url === '/watch') {
      drain.markWatch(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"ADDED"}\n');
      // A handler that keeps writing after the drain ended the stream must not crash anything.
      const timer = setInterval(() => res.write('{"type":"MODIFIED"}\n'), 5);
      res.on('close', () => clearInterval(timer));
      return;
    }
    await released;
    res.end('done');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const get = (path: string) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string; ended: boolean }>(
      (resolve, reject) => {
        request({ host: '127.0.0.1', port, path }, (res) => {
          let body = '';
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ended: true }),
          );
          res.on('aborted', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ended: false }),
          );
        })
          .on('error', reject)
          .end();
      },
    );
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((resolve) => setImmediate(resolve));
  };
  return { drain, release, get, arrived, until };
}

t.test('a request in flight finishes, told to close its connection', async (t) => {
  const { drain, release, get, arrived, until } = await fixture(t);
  const slow = get('/slow');
  await until(() => arrived.length === 1);
  const drained = drain.drain(60_000);
  t.equal(drain.draining, true);
  release();
  const res = await slow;
  await drained;
  t.equal(res.status, 200);
  t.equal(res.body, 'done');
  t.equal(res.headers.connection, 'close');
  t.equal(drain.size, 0);
});

t.test('a watch ends cleanly, with the events sent before', async (t) => {
  const { drain, get, arrived, until } = await fixture(t);
  const watch = get('/watch');
  await until(() => arrived.length === 1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await drain.drain(60_000);
  const res = await watch;
  t.equal(res.status, 200);
  t.ok(res.ended, 'the stream ended, not aborted');
  t.match(res.body, /^\{"type":"ADDED"\}\n/);
  for (const line of res.body.trimEnd().split('\n'))
    t.doesNotThrow(() => JSON.parse(line), 'whole events only');
});

t.test('a request that never finishes is given up after the grace period', async (t) => {
  const { drain, get, arrived, until } = await fixture(t);
  void get('/slow').catch(() => undefined);
  await until(() => arrived.length === 1);
  await drain.drain(1);
  t.equal(drain.size, 1, 'still in flight: the caller closes its connection');
});

t.test('a lame-duck drain waits out its period, answering new requests with connection: close', async (t) => {
  const { drain, release, get, arrived, until } = await fixture(t);
  release();
  const drained = drain.drain(200, { untilDeadline: true });
  const res = await get('/slow');
  await until(() => arrived.length === 1);
  t.equal(res.headers.connection, 'close');
  await drained;
  t.equal(drain.size, 0);
});
