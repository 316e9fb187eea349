/**
 * Which functions claim which HTTP trigger path, cluster-wide: an index fed by a list and watch of
 * the backing FunctionRecords (the store every write ends in, whichever way it came). Two writes
 * racing for one path can both pass before the watch delivers either; the gateway must still
 * pick one owner deterministically.
 */
import { CustomObjectsApi, type KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import { serviceUnavailable } from '../apiservice/errors.ts';
import { BACKING_GROUP, BACKING_PLURAL, BACKING_VERSION } from '../src/api/constants.ts';

/** `namespace/name` of a function. */
export type FunctionKey = string;

export interface HttpPathClaims {
  /** The functions whose HTTP trigger has `path`; rejects with a StatusError while unknown. */
  claimants(path: string): Promise<readonly FunctionKey[]>;
}

interface RecordLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { triggers?: { http?: { path?: unknown } } };
}

export const functionKey = (namespace: string | undefined, name: string | undefined): FunctionKey =>
  `${namespace ?? ''}/${name ?? ''}`;

export function httpPathOf(object: unknown): string | undefined {
  const path = (object as RecordLike | undefined)?.spec?.triggers?.http?.path;
  return typeof path === 'string' ? path : undefined;
}

/** The index itself: in memory, fed with objects, answering at once. */
export class HttpPathIndex implements HttpPathClaims {
  private readonly byPath = new Map<string, Set<FunctionKey>>();
  private readonly byKey = new Map<FunctionKey, string>();

  set(object: RecordLike): void {
    const key = functionKey(object.metadata?.namespace, object.metadata?.name);
    this.remove(object);
    const path = httpPathOf(object);
    if (path === undefined) return;
    this.byKey.set(key, path);
    const keys = this.byPath.get(path) ?? new Set<FunctionKey>();
    keys.add(key);
    this.byPath.set(path, keys);
  }

  remove(object: RecordLike): void {
    const key = functionKey(object.metadata?.namespace, object.metadata?.name);
    const path = this.byKey.get(key);
    if (path === undefined) return;
    this.byKey.delete(key);
    const keys = this.byPath.get(path);
    keys?.delete(key);
    if (keys?.size === 0) this.byPath.delete(path);
  }

  async claimants(path: string): Promise<readonly FunctionKey[]> {
    return [...(this.byPath.get(path) ?? [])];
  }
}

const MAX_BACKOFF_MS = 30_000;

/** The index kept current from the cluster; answers only once the first list has arrived. */
export class WatchedHttpPathIndex implements HttpPathClaims {
  readonly index = new HttpPathIndex();
  private readonly informer: ListWatch<RecordLike & { metadata: { name: string } }>;
  private synced = false;
  private stopped = false;
  private backoffMs = 1000;
  private retryTimer: NodeJS.Timeout | undefined;
  private failure: unknown;

  constructor(kubeConfig: KubeConfig) {
    const api = kubeConfig.makeApiClient(CustomObjectsApi);
    const list = () =>
      api.listClusterCustomObject({ group: BACKING_GROUP, version: BACKING_VERSION, plural: BACKING_PLURAL });
    this.informer = new ListWatch(
      `/apis/${BACKING_GROUP}/${BACKING_VERSION}/${BACKING_PLURAL}`,
      new Watch(kubeConfig),
      list,
      false,
    );
    this.informer.on('add', (o) => this.index.set(o));
    this.informer.on('update', (o) => this.index.set(o));
    this.informer.on('delete', (o) => this.index.remove(o));
    this.informer.on('error', (error) => {
      this.failure = error;
      this.retry();
    });
  }

  /** Lists and starts watching; resolves once the index holds every record (or rejects). */
  async start(): Promise<void> {
    this.failure = undefined;
    await this.informer.start();
    if (this.failure !== undefined) throw this.failure;
    this.synced = true;
    this.backoffMs = 1000;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    void this.informer.stop();
  }

  async claimants(path: string): Promise<readonly FunctionKey[]> {
    // A stale index after a watch failure still answers: it is behind by the outage only.
    if (!this.synced) throw serviceUnavailable('the index of HTTP trigger paths is not loaded yet');
    return this.index.claimants(path);
  }

  private retry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.start().catch(() => {});
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}
