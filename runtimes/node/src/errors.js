// @ts-check
/**
 * The runtime's error registry: every error the runtime itself answers with, its HTTP status and
 * its `type` (docs/runtime-contract.md §6). Errors thrown by the handler are reported under their
 * own class name with status 500.
 */

export class RuntimeError extends Error {
  /**
   * @param {number} status
   * @param {string} type
   * @param {string} message
   */
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

/** @param {number} limit */
export const payloadTooLarge = (limit) =>
  new RuntimeError(413, 'PayloadTooLarge', `request body exceeds ${limit} bytes`);

/** @param {string} detail */
export const badRequest = (detail) => new RuntimeError(400, 'BadRequest', detail);

/** @param {number} timeoutMs */
export const timeout = (timeoutMs) =>
  new RuntimeError(504, 'Timeout', `function did not finish within its timeout of ${timeoutMs / 1000}s`);

/** @param {string} reason */
export const notReady = (reason) => new RuntimeError(503, 'NotReady', reason);

/** @param {string} detail */
export const serializationError = (detail) => new RuntimeError(500, 'SerializationError', detail);

/**
 * Status, type and message for any thrown value.
 * @param {unknown} err
 * @returns {{ status: number, type: string, message: string }}
 */
export function describeError(err) {
  if (err instanceof RuntimeError) return { status: err.status, type: err.type, message: err.message };
  if (err instanceof Error) {
    return { status: 500, type: err.constructor?.name || err.name || 'Error', message: err.message };
  }
  if (err !== null && typeof err === 'object' && typeof (/** @type {any} */ (err).message) === 'string') {
    return { status: 500, type: 'Error', message: /** @type {any} */ (err).message };
  }
  return { status: 500, type: 'Error', message: String(err) };
}

/**
 * @param {string} type
 * @param {string} message
 */
export const errorBody = (type, message) => JSON.stringify({ error: { type, message } });
