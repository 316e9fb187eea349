// A layer-4 balancer on loopback standing in for a Service's virtual IP: each connection goes
// to the next backend that accepts it, so one replica being down costs no request. TLS passes
// through untouched, end to end between client and replica (ADR 0601).
//
// A backend can also drop a connection it has just accepted: one that was still in its accept
// queue when it stopped listening. Until a backend has sent its first byte, nothing has reached
// the client, so the client's bytes so far (its TLS ClientHello) are kept and replayed to the
// next backend instead of the client seeing the connection close.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { HOST } from './ports.ts';

export interface TcpBalancerStats {
  connections: number;
  /** Backends that refused a connection, or dropped it before answering, and were skipped. */
  failovers: number;
  /** Client connections closed because no backend would take them. */
  rejected: number;
}

export interface TcpBalancer {
  port: number;
  stats: TcpBalancerStats;
  setBackends(ports: number[]): void;
  close(): Promise<void>;
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export async function startTcpBalancer(port: number, backends: number[]): Promise<TcpBalancer> {
  let ports = [...backends];
  let next = 0;
  const stats: TcpBalancerStats = { connections: 0, failovers: 0, rejected: 0 };
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  /** Pipes client ⇄ backend; resolves false if the backend went away before its first byte. */
  const splice = (client: Socket, backend: Socket, sent: Buffer[]): Promise<boolean> =>
    new Promise((resolve) => {
      track(backend);
      let answered = false;
      const forward = (chunk: Buffer) => {
        if (!answered) sent.push(chunk);
        if (!backend.write(chunk)) client.pause();
      };
      backend.on('drain', () => client.resume());
      const clientGone = () => backend.destroy();
      client.on('data', forward);
      client.on('end', () => backend.end());
      client.once('close', clientGone);
      for (const chunk of sent) backend.write(chunk);
      backend.on('data', (chunk: Buffer) => {
        if (!answered) {
          answered = true;
          sent.length = 0;
        }
        if (!client.write(chunk)) backend.pause();
      });
      client.on('drain', () => backend.resume());
      backend.on('error', () => backend.destroy());
      backend.once('close', () => {
        if (answered || client.destroyed) {
          client.destroy();
          return resolve(true);
        }
        // Nothing reached the client yet: let the caller try another backend.
        client.off('data', forward);
        client.off('close', clientGone);
        client.removeAllListeners('end');
        client.removeAllListeners('drain');
        resolve(false);
      });
      client.resume();
    });

  // No Nagle on either side: a relay must pass each write on at once. With it, a request whose
  // body follows its headers in a second write waits for the peer's delayed ACK (~40 ms).
  const server: Server = createServer({ noDelay: true }, async (client) => {
    track(client);
    stats.connections++;
    client.pause();
    client.on('error', () => client.destroy());
    const sent: Buffer[] = [];
    // One turn of the round robin per connection, then each other backend once: a shared
    // counter would let concurrent connections send a retry back to the backend that failed.
    const backendsNow = [...ports];
    const first = next++;
    for (let attempt = 0; attempt < backendsNow.length && !client.destroyed; attempt++) {
      const backendPort = backendsNow[(first + attempt) % backendsNow.length]!;
      let backend: Socket;
      try {
        backend = await dial(backendPort);
      } catch {
        stats.failovers++;
        continue;
      }
      if (await splice(client, backend, sent)) return;
      stats.failovers++;
      client.pause();
    }
    stats.rejected++;
    client.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    stats,
    setBackends: (list) => {
      ports = [...list];
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
