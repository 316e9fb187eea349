// Port selection for the control plane on loopback.
import { createServer } from 'node:net';

export const HOST = '127.0.0.1';

export interface Ports {
  apiserver: number;
  etcdClient: number;
  etcdPeer: number;
  controllerManager: number;
  scheduler: number;
  /** Where the aggregator reaches the platform's API replicas (through the local balancer). */
  apiService: number;
}

export const STANDARD_PORTS: Ports = {
  apiserver: 6443,
  etcdClient: 2379,
  etcdPeer: 2380,
  controllerManager: 10257,
  scheduler: 10259,
  apiService: 8443,
};

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, HOST, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

export async function freePorts(): Promise<Ports> {
  const entries = await Promise.all(
    Object.keys(STANDARD_PORTS).map(async (key) => [key, await listenOnce(0)]),
  );
  return Object.fromEntries(entries) as Ports;
}

/** Fails with a message that says which component's port is taken and what to do. */
export async function assertPortsFree(ports: Ports): Promise<void> {
  for (const [component, port] of Object.entries(ports)) {
    try {
      await listenOnce(port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      throw new Error(
        `port ${port} on ${HOST} (${component}) is already in use: stop the process holding it ` +
          `(\`ss -ltnp 'sport = :${port}'\` shows it), or use another state folder with KS_STATE_DIR and --ports=auto`,
      );
    }
  }
}
