// Graceful shutdown of the API server: requests in flight finish, keep-alive connections are
// told to close, and watches end cleanly, so that clients resume on another replica from their
// last resourceVersion instead of seeing a broken stream.
import type { ServerResponse } from 'node:http';

const POLL_MS = 50;
const ignore = () => {};

export class Drain {
  draining = false;
  private readonly inFlight = new Map<ServerResponse, { watch: boolean }>();

  /** Counts a response as in flight until it finishes or its connection goes away. */
  track(res: ServerResponse): void {
    this.inFlight.set(res, { watch: false });
    res.once('close', () => this.inFlight.delete(res));
    if (this.draining) res.setHeader('connection', 'close');
  }

  /** A watch never finishes on its own: draining ends it. */
  markWatch(res: ServerResponse): void {
    const entry = this.inFlight.get(res);
    if (entry) entry.watch = true;
  }

  get size(): number {
    return this.inFlight.size;
  }

  /**
   * Resolves when nothing is in flight any more, or after `graceMs` (always after `graceMs`
   * with `untilDeadline`: the lame-duck period in which new requests on open connections are
   * still answered).
   */
  async drain(graceMs: number, { untilDeadline = false } = {}): Promise<void> {
    this.draining = true;
    const deadline = Date.now() + graceMs;
    for (;;) {
      for (const [res, { watch }] of this.inFlight) {
        if (!res.headersSent) res.setHeader('connection', 'close');
        else if (watch && !res.writableEnded) endWatch(res);
      }
      if ((this.inFlight.size === 0 && !untilDeadline) || Date.now() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
    }
  }
}

function endWatch(res: ServerResponse): void {
  // The handler may still write an event it is translating: that write fails quietly.
  res.on('error', ignore);
  res.once('finish', () => res.socket?.end());
  res.end();
}
