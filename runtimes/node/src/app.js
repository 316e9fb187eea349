// @ts-check
/**
 * The Express application: probes, metrics, and everything else to the function.
 */
import express from 'express';
import { createInvoker } from './invoke.js';

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} value
 */
function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const PROBES = new Set(['/health', '/ready', '/metrics']);

/** @param {string | undefined} url */
function pathOf(url = '/') {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * @param {import('./invoke.js').InvokeDeps} deps
 * @returns {import('express').Express}
 */
export function createApp(deps) {
  const { state, metrics, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('case sensitive routing', true);
  app.set('strict routing', true);

  // The invocation path first, so that most requests cross one layer; GET/HEAD on a probe path
  // falls through to its route below.
  const invoke = createInvoker(deps);
  app.use((req, res, next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && PROBES.has(pathOf(req.url))) next();
    else invoke(req, res);
  });

  app.get('/health', (_req, res) => sendJson(res, 200, { status: 'ok' }));
  app.get('/ready', (_req, res) => {
    if (state.ready) sendJson(res, 200, { ready: true });
    else sendJson(res, 503, { ready: false, reason: state.notReadyReason });
  });
  app.get('/metrics', async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.writeHead(200, {
      'content-type': metrics.registry.contentType,
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  });

  /** @type {import('express').ErrorRequestHandler} */
  const onError = (err, _req, res, _next) => {
    log.error('request failed in the runtime', { error: err });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, 500, {
      error: { type: 'RuntimeError', message: 'internal error in the function runtime' },
    });
  };
  app.use(onError);
  return app;
}
