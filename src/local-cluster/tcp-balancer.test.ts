import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { HOST } from './ports.ts';
import { startTcpBalancer } from './tcp-balancer.ts';

/** A backend that answers each line with `<name>:<line>`. */
async function echo(t: Test, name: string, behaviour: 'answer' | 'drop' = 'answer'): Promise<number> {
  const server: Server = createServer((socket) => {
    if (behaviour === 'drop') {
      // Accepted, then gone before answering: a replica closing with this connection queued.
      socket.once('data', () => socket.destroy());
      return;
    }
    socket.on('data', (chunk) => socket.write(`${name}:${chunk}`));
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Sends one line and returns the answer, or 'closed' when the connection ends without one. */
function ask(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: HOST, port }, () => socket.write(line));
    socket.once('data', (chunk) => {
      resolve(chunk.toString());
      socket.destroy();
    });
    socket.once('close', () => resolve('closed'));
    socket.once('error', reject);
  });
}

t.test('connections go round robin over the backends', async (t) => {
  const balancer = await startTcpBalancer(0, [await echo(t, 'a'), await echo(t, 'b')]);
  t.teardown(() => balancer.close());
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await ask(balancer.port, `hi${i}`));
  t.same(answers.sort(), ['a:hi0', 'a:hi2', 'b:hi1', 'b:hi3']);
  t.match(balancer.stats, { connections: 4, failovers: 0, rejected: 0 });
});

t.test('a backend that refuses connections is skipped', async (t) => {
  const balancer = await startTcpBalancer(0, [await freePort(), await echo(t, 'b')]);
  t.teardown(() => balancer.close());
  for (let i = 0; i < 4; i++) t.equal(await ask(balancer.port, 'x'), 'b:x');
  t.equal(balancer.stats.failovers, 2, 'every other connection tried the bad backend first');
});

t.test("a backend that drops a connection before answering: the client's bytes go to the next", async (t) => {
  const balancer = await startTcpBalancer(0, [await echo(t, 'a', 'drop'), await echo(t, 'b')]);
  t.teardown(() => balancer.close());
  for (let i = 0; i < 4; i++) t.equal(await ask(balancer.port, `hello${i}`), `b:hello${i}`);
  t.equal(balancer.stats.failovers, 2, 'every other connection tried the bad backend first');
  t.equal(balancer.stats.rejected, 0);
});

t.test('with no backend left, the client connection is closed', async (t) => {
  const balancer = await startTcpBalancer(0, [await freePort()]);
  t.teardown(() => balancer.close());
  t.equal(await ask(balancer.port, 'x'), 'closed');
  t.equal(balancer.stats.rejected, 1);
});

t.test('concurrent connections never retry on the backend that failed them', async (t) => {
  const balancer = await startTcpBalancer(0, [await freePort(), await echo(t, 'b')]);
  t.teardown(() => balancer.close());
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(balancer.port, `c${i}`)));
  t.same(
    answers,
    answers.map((_, i) => `b:c${i}`),
  );
  t.equal(balancer.stats.rejected, 0);
});
