// @ts-check
/**
 * The invocation path: body → event → handler (with timeout) → response, plus the per-invocation
 * log line and metrics (docs/runtime-contract.md §3–§7).
 */
import { randomUUID } from 'node:crypto';
import { InvocationContext } from './context.js';
import { describeError, errorBody, notReady, timeout } from './errors.js';
import { buildEvent, readBody } from './event.js';
import { JSON_TYPE, toReply } from './response.js';

/**
 * @typedef {object} InvokeDeps
 * @property {import('./config.js').RuntimeConfig} config
 * @property {import('./state.js').RuntimeState} state
 * @property {import('./metrics.js').RuntimeMetrics} metrics
 * @property {import('./logger.js').Logger} log logger with function and namespace fields
 */

/** @param {string | string[] | undefined} header */
function invocationIdFrom(header) {
  const id = Array.isArray(header) ? header[0] : header;
  return id !== undefined && id.length > 0 && id.length <= 128 ? id : randomUUID();
}

/**
 * Races the handler's promise against the timeout.
 * @param {Promise<unknown>} work
 * @param {number} ms
 * @param {InvocationContext} context
 */
function withTimeout(work, ms, context) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const err = timeout(ms);
      context.abort(err);
      reject(err);
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * @param {InvokeDeps} deps
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>}
 */
export function createInvoker({ config, state, metrics, log }) {
  let cold = true;
  const { functionName, namespace, timeoutMs, maxBodyBytes } = config;

  return async function invoke(req, res) {
    const started = performance.now();
    const receivedAt = Date.now();
    const invocationId = invocationIdFrom(req.headers['x-invocation-id']);
    state.begin();
    const coldStart = cold;
    let path = req.url?.split('?', 1)[0];
    /** @type {import('./response.js').Reply} */
    let reply;
    /** @type {{ type: string, message: string } | undefined} */
    let failure;
    try {
      const handler = state.handler;
      if (handler === null) throw notReady(state.notReadyReason);
      if (cold) {
        cold = false;
        metrics.coldStart();
      }
      const raw = await readBody(req, maxBodyBytes);
      const event = buildEvent(req, raw);
      path = event.path;
      const context = new InvocationContext({
        functionName,
        namespace,
        invocationId,
        deadlineMs: receivedAt + timeoutMs,
        log,
      });
      let result = handler(event, context);
      if (
        result !== null &&
        typeof result === 'object' &&
        typeof (/** @type {any} */ (result).then) === 'function'
      ) {
        result = await withTimeout(/** @type {Promise<unknown>} */ (result), timeoutMs, context);
      }
      reply = toReply(result);
    } catch (err) {
      const { status, type, message } = describeError(err);
      if (status === 500) failure = { type, message };
      reply = { status, headers: { 'content-type': JSON_TYPE }, body: errorBody(type, message) };
    }

    reply.headers['x-invocation-id'] = invocationId;
    const { body } = reply;
    if (body !== null) reply.headers['content-length'] = String(Buffer.byteLength(body));
    else if (reply.status !== 204 && reply.status !== 304) reply.headers['content-length'] = '0';
    if (state.draining || reply.status === 413) reply.headers.connection = 'close';
    if (!res.destroyed) {
      try {
        res.writeHead(reply.status, reply.headers);
        res.end(body ?? undefined);
      } catch (err) {
        // headers already sent or an invalid header slipped through: nothing more can be sent
        log.error('writing the response failed', { invocationId, error: describeError(err) });
        res.destroy();
      }
    }
    const seconds = (performance.now() - started) / 1000;
    metrics.observe(reply.status, seconds);
    const line = {
      invocationId,
      method: req.method,
      path,
      status: reply.status,
      durationMs: Math.round(seconds * 1e6) / 1e3,
      coldStart,
      ...(failure && { error: failure }),
    };
    if (reply.status >= 500) log.error('invocation', line);
    else log.info('invocation', line);
    state.end();
  };
}
