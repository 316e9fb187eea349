// A list-then-watch cache of one kind (client-node's ListWatch) that starts again after a failure:
// ListWatch relists by itself when a watch ends or expires (410), but a failed list or a broken
// watch only emits 'error' and stops.
import {
  type KubeConfig,
  type KubernetesObject,
  type ListPromise,
  ListWatch,
  type ObjectCache,
  Watch,
} from '@kubernetes/client-node';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface RestartingInformerOptions<T extends KubernetesObject> {
  /** The collection's path, e.g. /api/v1/namespaces/x/secrets. */
  path: string;
  /** Lists the collection (with the same selectors as the watch). */
  list: ListPromise<T>;
  labelSelector?: string;
  fieldSelector?: string;
  onEvent?: (event: InformerEvent, object: T) => void;
  log: (line: string) => void;
  restartDelayMs?: number;
}

const RESTART_DELAY_MS = 1_000;

export class RestartingInformer<T extends KubernetesObject> implements ObjectCache<T> {
  private readonly informer: ListWatch<T>;
  private stopped = false;

  constructor(kubeConfig: KubeConfig, options: RestartingInformerOptions<T>) {
    const { path, list, labelSelector, fieldSelector, onEvent, log } = options;
    this.informer = new ListWatch(path, new Watch(kubeConfig), list, false, labelSelector, fieldSelector);
    if (onEvent) {
      for (const event of ['add', 'update', 'delete'] as const)
        this.informer.on(event, (object) => onEvent(event, object));
    }
    this.informer.on('error', (error) => {
      if (this.stopped) return;
      log(`informer on ${path} failed, restarting: ${error instanceof Error ? error.message : error}`);
      setTimeout(() => {
        if (!this.stopped) this.informer.start().catch(() => {});
      }, options.restartDelayMs ?? RESTART_DELAY_MS).unref();
    });
  }

  /** Lists and starts watching; resolves after the first list (a failed one restarts later). */
  start(): Promise<void> {
    return this.informer.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop().catch(() => {});
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  list(namespace?: string): ReadonlyArray<T> {
    return this.informer.list(namespace);
  }
}
