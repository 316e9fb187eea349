// @ts-check
/**
 * The context handed to the handler with each event (docs/runtime-contract.md §4).
 */

/** @typedef {import('./logger.js').Logger} Logger */

export class InvocationContext {
  /** @type {number} */
  #deadlineMs;
  /** @type {Logger} */
  #baseLog;
  /** @type {Logger | undefined} */
  #log;
  /** @type {AbortController | undefined} */
  #abort;

  /**
   * @param {object} init
   * @param {string} init.functionName
   * @param {string} init.namespace
   * @param {string} init.invocationId
   * @param {number} init.deadlineMs epoch milliseconds
   * @param {Logger} init.log the runtime's logger; handler lines get the invocation id added
   */
  constructor({ functionName, namespace, invocationId, deadlineMs, log }) {
    /** @readonly */
    this.functionName = functionName;
    /** @readonly */
    this.namespace = namespace;
    /** @readonly */
    this.invocationId = invocationId;
    this.#deadlineMs = deadlineMs;
    this.#baseLog = log;
  }

  /** When the invocation times out. */
  get deadline() {
    return new Date(this.#deadlineMs);
  }

  /** Milliseconds left before the timeout, never negative. */
  getRemainingTimeMs() {
    return Math.max(0, this.#deadlineMs - Date.now());
  }

  /** JSON-lines logger: `context.log.info('msg', { field: 1 })`. */
  get log() {
    this.#log ??= this.#baseLog.child({ invocationId: this.invocationId });
    return this.#log;
  }

  /** Aborted when the invocation times out; pass it to fetch() and the like. */
  get signal() {
    this.#abort ??= new AbortController();
    return this.#abort.signal;
  }

  /**
   * Called by the runtime at the timeout.
   * @param {Error} reason
   */
  abort(reason) {
    this.#abort?.abort(reason);
  }

  toJSON() {
    return {
      functionName: this.functionName,
      namespace: this.namespace,
      invocationId: this.invocationId,
      deadline: this.deadline.toISOString(),
    };
  }
}
