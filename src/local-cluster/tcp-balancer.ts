// A layer-4 balancer on loopback standing in for a Service's virtual IP: each connection goes
// to the next backend that accepts it, so one replica being down costs no request. TLS passes
// through untouched, end to end between client and replica.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { HOST } from './ports.ts';

export interface TcpBalancer {
  port: number;
  setBackends(ports: number[]): void;
  close(): Promise<void>;
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
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
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server: Server = createServer(async (client) => {
    track(client);
    client.pause();
    client.on('error', () => client.destroy());
    for (let attempt = 0; attempt < ports.length; attempt++) {
      const backendPort = ports[next++ % ports.length]!;
      try {
        const backend = await dial(backendPort);
        track(backend);
        backend.on('error', () => client.destroy());
        client.on('close', () => backend.destroy());
        backend.on('close', () => client.destroy());
        client.pipe(backend);
        backend.pipe(client);
        client.resume();
        return;
      } catch {
        // try the next replica
      }
    }
    client.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    setBackends: (list) => {
      ports = [...list];
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
