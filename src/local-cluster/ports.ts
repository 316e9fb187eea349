// Port selection for the control plane on loopback.
import { readFileSync } from 'node:fs';
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

/**
 * Ports picked for components that bind them later come from below the kernel's ephemeral range
 * (net.ipv4.ip_local_port_range): a port the kernel handed out for `listen(0)` and that we closed
 * again can be taken by any outgoing connection before the component binds it (ADR 0005).
 */
const PICK_LOW = 15_000;
const PICK_HIGH_MAX = 32_768;
/** Ports of services that may come and go on a developer's machine, never handed out. */
const AVOID = new Set([
  ...Object.values(STANDARD_PORTS),
  4369, // epmd (RabbitMQ)
  10250, // kubelet
  15672, // RabbitMQ management
  25672, // RabbitMQ distribution
]);
/** Handed out by this process already: two picks in one process never collide. */
const handedOut = new Set<number>();

function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const value = Number(low);
    return Number.isInteger(value) && value > 0 ? value : PICK_HIGH_MAX;
  } catch {
    return PICK_HIGH_MAX;
  }
}

/** A port free right now on 127.0.0.1, outside the ephemeral range (random, so processes rarely race). */
export async function pickFreePort(): Promise<number> {
  const high = Math.min(PICK_HIGH_MAX, ephemeralLow());
  if (high - PICK_LOW < 1_000) return listenOnce(0); // no room below the ephemeral range
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = PICK_LOW + Math.floor(Math.random() * (high - PICK_LOW));
    if (AVOID.has(port) || handedOut.has(port)) continue;
    try {
      await listenOnce(port);
    } catch {
      continue; // in use
    }
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found on ${HOST} between ${PICK_LOW} and ${high}`);
}

export async function freePorts(): Promise<Ports> {
  const ports = { ...STANDARD_PORTS };
  for (const key of Object.keys(ports) as Array<keyof Ports>) ports[key] = await pickFreePort();
  return ports;
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
