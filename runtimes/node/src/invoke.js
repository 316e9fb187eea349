// @ts-check
/**
 * The invocation path: body → event → handler (with timeout) → response, plus the per-invocation
 * log line and metrics (docs/runtime-contract.md §3–§7).
 *
 * Written without async/await on purpose: a synchronous handler with a body that already arrived
 * runs start to finish in one tick, with no promise allocated (docs/decisions/0102).
 */
import { randomUUID } from 'node:crypto';
import { InvocationContext } from './context.js';
import { describeError, errorBody, notReady, payloadTooLarge, timeout } from './errors.js';
import { buildEvent, collectHeaders, readBody, takeCompleteBody } from './event.js';
import { JSON_TYPE, toReply } from './response.js';

/**
 * @typedef {object} InvokeDeps
 * @property {import('./config.js').RuntimeConfig} config
 * @property {import('./state.js').RuntimeState} state
 * @property {import('./metrics.js').RuntimeMetrics} metrics
 * @property {import('./logger.js').Logger} log logger with function and namespace fields
 */

/** @typedef {import('./response.js').Reply} Reply */
/** @typedef {{ type: string, message: string }} Failure */

/** @param {string | undefined} id */
function invocationIdFrom(id) {
  return id !== undefined && id.length > 0 && id.length <= 128 ? id : randomUUID();
}

/**
 * @param {unknown} value
 * @returns {value is PromiseLike<unknown>}
 */
function isThenable(value) {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (/** @type {any} */ (value).then) === 'function'
  );
}

/**
 * Settles with the handler's promise, or rejects with a Timeout after `ms` (aborting the context).
 * @param {PromiseLike<unknown>} work
 * @param {number} ms
 * @param {InvocationContext} context
 * @returns {Promise<unknown>}
 */
function withTimeout(work, ms, context) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const err = timeout(ms);
      context.abort(err);
      reject(err);
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** @param {string | undefined} url */
function rawPath(url = '/') {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * @param {InvokeDeps} deps
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void}
 */
export function createInvoker({ config, state, metrics, log }) {
  let cold = true;
  const { functionName, namespace, timeoutMs, maxBodyBytes } = config;
  const identity = `"function":${JSON.stringify(functionName)},"namespace":${JSON.stringify(namespace)}`;

  return function invoke(req, res) {
    const started = performance.now();
    const receivedAt = Date.now();
    state.begin();
    const headers = collectHeaders(req.rawHeaders);
    const invocationId = invocationIdFrom(headers['x-invocation-id']);
    const coldStart = cold && state.handler !== null;
    let path = rawPath(req.url);
    /** @type {InvocationContext | undefined} */
    let context;

    /**
     * @param {Reply} reply
     * @param {Failure} [failure]
     */
    const finish = (reply, failure) => {
      const { body } = reply;
      reply.headers['x-invocation-id'] = invocationId;
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
      // the one line per invocation, serialized by hand: it is written for every request
      const level = reply.status >= 500 ? 'error' : 'info';
      log.raw(
        `{"time":"${new Date().toISOString()}","level":"${level}","msg":"invocation",${identity},` +
          `"invocationId":${JSON.stringify(invocationId)},"method":${JSON.stringify(req.method)},` +
          `"path":${JSON.stringify(path)},"status":${reply.status},"durationMs":${Math.round(seconds * 1e6) / 1e3},` +
          `"coldStart":${coldStart}${failure ? `,"error":${JSON.stringify(failure)}` : ''}}\n`,
      );
      state.end();
    };

    /** @param {unknown} err */
    const fail = (err) => {
      const { status, type, message } = describeError(err);
      const reply = { status, headers: { 'content-type': JSON_TYPE }, body: errorBody(type, message) };
      finish(reply, status === 500 ? { type, message } : undefined);
    };

    /** @param {unknown} result */
    const complete = (result) => {
      /** @type {Reply} */
      let reply;
      try {
        reply = toReply(result);
      } catch (err) {
        fail(err);
        return;
      }
      finish(reply);
    };

    /** @param {Buffer} raw */
    const run = (raw) => {
      /** @type {unknown} */
      let result;
      try {
        const event = buildEvent(req, headers, raw);
        path = event.path;
        context = new InvocationContext({
          functionName,
          namespace,
          invocationId,
          deadlineMs: receivedAt + timeoutMs,
          log,
        });
        result = /** @type {import('./loader.js').Handler} */ (handler)(event, context);
      } catch (err) {
        fail(err);
        return;
      }
      if (isThenable(result)) {
        withTimeout(result, timeoutMs, /** @type {InvocationContext} */ (context)).then(complete, fail);
      } else complete(result);
    };

    const handler = state.handler;
    if (handler === null) {
      fail(notReady(state.notReadyReason));
      return;
    }
    if (cold) {
      cold = false;
      metrics.coldStart();
    }
    const declared = headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      req.resume(); // discard what comes
      fail(payloadTooLarge(maxBodyBytes));
      return;
    }
    const arrived = takeCompleteBody(req);
    if (arrived === undefined) readBody(req, maxBodyBytes).then(run, fail);
    else if (arrived.length > maxBodyBytes) fail(payloadTooLarge(maxBodyBytes));
    else run(arrived);
  };
}
