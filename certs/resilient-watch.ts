// A list-then-watch loop that survives its watch ending: it lists again (bringing the caller
// up to date) and watches from the new resourceVersion, with capped backoff between failures.
import type { KubeJson, WatchEventType } from './kube-json.ts';

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

export interface ResilientWatchOptions {
  kube: KubeJson;
  path: string;
  query: Record<string, string>;
  /** Brings the caller up to date; returns the list's resourceVersion. */
  list: () => Promise<string | undefined>;
  onEvent: (type: WatchEventType, object: Record<string, unknown>) => void;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

export class ResilientWatch {
  private stopped = false;
  private abort: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = FIRST_BACKOFF_MS;

  constructor(private readonly options: ResilientWatchOptions) {}

  /** Lists once (throwing if that fails), then keeps watching in the background. */
  async start(): Promise<void> {
    const resourceVersion = await this.options.list();
    void this.watchFrom(resourceVersion);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
  }

  private async watchFrom(resourceVersion: string | undefined): Promise<void> {
    if (this.stopped) return;
    const { kube, path, query, onEvent } = this.options;
    try {
      this.abort = await kube.watch(
        path,
        { ...query, resourceVersion, allowWatchBookmarks: true },
        (type, object) => {
          if (type === 'BOOKMARK' || type === 'ERROR') return; // an ERROR (410) ends the watch: we relist
          this.backoffMs = FIRST_BACKOFF_MS;
          onEvent(type, object);
        },
        () => this.retry(),
      );
      if (this.stopped) this.abort.abort();
    } catch {
      this.retry();
    }
  }

  private retry(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      try {
        await this.watchFrom(await this.options.list());
      } catch (error) {
        this.options.log('list failed; retrying', {
          path: this.options.path,
          error: (error as Error).message,
        });
        this.retry();
      }
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}
