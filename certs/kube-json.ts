// Plain JSON requests and watches against kube-apiserver with the server's own credentials: the
// status code comes back as it is (404, 409 and 403 are answers here, not exceptions).
import { Agent, type RequestOptions, request } from 'node:https';
import { type KubeConfig, Watch } from '@kubernetes/client-node';

export interface KubeResponse<T> {
  status: number;
  body: T;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export class KubeJson {
  private readonly server: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });
  private readonly options: Promise<RequestOptions>;
  private readonly watcher: Watch;

  constructor(kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    const options: RequestOptions = {};
    this.options = kubeConfig.applyToHTTPSOptions(options).then(() => options);
    this.watcher = new Watch(kubeConfig);
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<KubeResponse<T>> {
    const base = await this.options;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          ...base,
          agent: this.agent,
          protocol: this.server.protocol,
          hostname: this.server.hostname,
          port: this.server.port,
          method,
          path,
          headers: {
            ...(base.headers as Record<string, string> | undefined),
            accept: 'application/json',
            ...(payload ? { 'content-type': contentType } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {}
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path}: no answer`)));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  /** Starts a watch; `done` is called once when it ends for any reason. */
  watch(
    path: string,
    query: Record<string, string | boolean | undefined>,
    onEvent: (type: WatchEventType, object: Record<string, unknown>) => void,
    done: (error?: unknown) => void,
  ): Promise<AbortController> {
    return this.watcher.watch(path, query, (type, object) => onEvent(type as WatchEventType, object), done);
  }

  close(): void {
    this.agent.destroy();
  }
}

export class KubeRequestError extends Error {
  constructor(
    what: string,
    readonly status: number,
    body: unknown,
  ) {
    const message = (body as { message?: string } | undefined)?.message ?? String(body).slice(0, 200);
    super(`${what}: ${status} ${message}`);
  }
}
