// Raw HTTPS requests to kube-apiserver for the backing FunctionRecord resource, with the
// server's own credentials. Query strings and content negotiation pass through untouched.

import type { IncomingMessage } from 'node:http';
import { Agent, type RequestOptions, request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { BACKING_GROUP, BACKING_PLURAL, BACKING_VERSION } from '../src/api/constants.ts';

export interface BackingRequest {
  method: string;
  /** Path below the backing group-version, e.g. `/namespaces/a/functionrecords/f/status`. */
  path: string;
  search: string;
  headers: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal;
  /** A watch (by the request's parsed verb): it gets a connection of its own. */
  watch?: boolean;
}

export function backingPath(
  namespace: string | undefined,
  name?: string,
  subresource?: string,
  watchPath = false,
): string {
  const parts = [
    watchPath ? '/watch' : '',
    namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`,
    `/${BACKING_PLURAL}`,
  ];
  if (name !== undefined) parts.push(`/${encodeURIComponent(name)}`);
  if (subresource !== undefined) parts.push(`/${subresource}`);
  return parts.join('');
}

export class BackingClient {
  private readonly server: URL;
  /** Short requests share a bounded keep-alive pool. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  /**
   * Watches hold their connection for minutes: they get their own unbounded agent, so that
   * many open watches never make a get or create wait for a free socket.
   */
  private readonly watchAgent = new Agent({ keepAlive: false });
  private options: Promise<RequestOptions>;

  constructor(private readonly kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    this.options = this.credentials();
  }

  private async credentials(): Promise<RequestOptions> {
    const options: RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    return options;
  }

  /** Sends the request; resolves once response headers arrive (the body is a stream). */
  async send(req: BackingRequest): Promise<IncomingMessage> {
    const base = await this.options;
    const path = `/apis/${BACKING_GROUP}/${BACKING_VERSION}${req.path}${req.search}`;
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          ...base,
          agent: req.watch ? this.watchAgent : this.agent,
          protocol: this.server.protocol,
          hostname: this.server.hostname,
          port: this.server.port,
          method: req.method,
          path,
          headers: { ...(base.headers as Record<string, string> | undefined), ...req.headers },
          signal: req.signal,
        },
        resolve,
      );
      // Headers and body may leave in separate writes: no Nagle, so the body never waits for
      // the peer's delayed ACK (the same stall cost 20 ms per create in the loopback balancer).
      outgoing.once('socket', (socket) => socket.setNoDelay(true));
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}

export async function readBody(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
