// Keeps the delegated authentication settings current: reads the ConfigMap at start (the server
// is not ready before), then watches it, re-reading and re-watching with backoff after failures.
import { CoreV1Api, type KubeConfig, type V1ConfigMap, Watch } from '@kubernetes/client-node';
import {
  AUTH_CONFIGMAP,
  type AuthenticationConfig,
  EMPTY_AUTHENTICATION_CONFIG,
  parseAuthenticationConfig,
} from './auth-config.ts';

const MAX_BACKOFF_MS = 30_000;

export class AuthConfigWatcher {
  current: AuthenticationConfig = EMPTY_AUTHENTICATION_CONFIG;
  private readonly listeners: Array<(config: AuthenticationConfig) => void> = [];
  private readonly core: CoreV1Api;
  private readonly watch: Watch;
  private stopped = false;
  private abort: AbortController | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs = 1000;

  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.watch = new Watch(kubeConfig);
  }

  onChange(listener: (config: AuthenticationConfig) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves after the first successful read; throws if the ConfigMap cannot be read. */
  async start(): Promise<void> {
    const resourceVersion = await this.read();
    void this.watchFrom(resourceVersion);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.abort?.abort();
  }

  private update(configMap: V1ConfigMap): void {
    this.current = parseAuthenticationConfig(configMap.data);
    for (const listener of this.listeners) listener(this.current);
  }

  private async read(): Promise<string | undefined> {
    const configMap = await this.core.readNamespacedConfigMap(AUTH_CONFIGMAP);
    this.update(configMap);
    return configMap.metadata?.resourceVersion;
  }

  private async watchFrom(resourceVersion: string | undefined): Promise<void> {
    if (this.stopped) return;
    try {
      this.abort = await this.watch.watch(
        `/api/v1/namespaces/${AUTH_CONFIGMAP.namespace}/configmaps`,
        { fieldSelector: `metadata.name=${AUTH_CONFIGMAP.name}`, resourceVersion, allowWatchBookmarks: true },
        (type, object: V1ConfigMap) => {
          if (type === 'ADDED' || type === 'MODIFIED') {
            this.backoffMs = 1000;
            this.update(object);
          }
        },
        () => this.retry(),
      );
    } catch {
      this.retry();
    }
  }

  private retry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(async () => {
      const resourceVersion = await this.read().catch(() => undefined);
      void this.watchFrom(resourceVersion);
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}
