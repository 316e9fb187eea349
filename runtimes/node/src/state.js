// @ts-check
/**
 * What the runtime is doing: loading, ready, failed or draining; and how many invocations run.
 */
import { EventEmitter } from 'node:events';

/** @typedef {import('./loader.js').Handler} Handler */

export class RuntimeState extends EventEmitter {
  /** @type {Handler | null} */
  handler = null;
  /**
   * Why the runtime is not ready; null when it is.
   * @type {string | null}
   */
  reason = 'loading the function';
  draining = false;
  inFlight = 0;

  get ready() {
    return this.handler !== null && !this.draining;
  }

  /** @param {string} reason */
  setLoading(reason) {
    this.reason = reason;
  }

  /** @param {Handler} handler */
  setLoaded(handler) {
    this.handler = handler;
    this.reason = null;
  }

  /** @param {string} reason */
  setFailed(reason) {
    this.handler = null;
    this.reason = reason;
  }

  /** The reason shown by /ready and NotReady answers. */
  get notReadyReason() {
    if (this.draining) return 'shutting down';
    return this.reason ?? 'not ready';
  }

  startDraining() {
    this.draining = true;
  }

  begin() {
    this.inFlight++;
  }

  end() {
    this.inFlight--;
    if (this.inFlight === 0) this.emit('idle');
  }

  /**
   * Resolves when no invocation is running, or after `ms`.
   * @param {number} ms
   * @returns {Promise<boolean>} true when idle
   */
  waitIdle(ms) {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.off('idle', onIdle);
        resolve(false);
      }, ms);
      const onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.once('idle', onIdle);
    });
  }
}
