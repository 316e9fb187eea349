// @ts-check
/**
 * Wiring: config, logger, metrics, state, the HTTP server, loading the function, and the drain on
 * shutdown. server.js runs this as a process; tests run it in-process.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { needsInstall, prepareDependencies } from './deps.js';
import { LoadError, loadHandler } from './loader.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { RuntimeState } from './state.js';

/**
 * @typedef {object} Runtime
 * @property {import('node:http').Server} server
 * @property {RuntimeState} state
 * @property {import('./config.js').RuntimeConfig} config
 * @property {string} url base URL, e.g. http://127.0.0.1:8080
 * @property {Promise<void>} loaded settles when loading finished (ready or failed)
 * @property {() => Promise<void>} shutdown drain and close (does not exit the process)
 */

/**
 * @param {object} [options]
 * @param {NodeJS.ProcessEnv} [options.env]
 * @param {(line: string) => void} [options.write] log sink, stdout by default
 * @returns {Promise<Runtime>}
 */
export async function startRuntime({ env = process.env, write } = {}) {
  const rootLog = createLogger(write);
  const config = loadConfig(env, rootLog);
  const log = rootLog.child({ function: config.functionName, namespace: config.namespace });
  const metrics = createMetrics(config);
  const state = new RuntimeState();
  const app = createApp({ config, state, metrics, log });

  const server = createServer(expressServerOptions(app), app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log.info('listening', {
    host: address.address,
    port: address.port,
    sinceStartMs: Math.round(performance.now()),
  });

  const loaded = load(config, state, log);

  /** @type {Promise<void> | undefined} */
  let closing;
  const shutdown = () => {
    closing ??= drain(server, state, config, log);
    return closing;
  };
  return { server, state, config, url: `http://${host}:${address.port}`, loaded, shutdown };
}

/**
 * Request and response classes whose instances are born with Express's prototypes.
 *
 * Express gives every request and response its own prototype (`Object.setPrototypeOf(req,
 * app.request)`); changing the prototype of a live object makes V8 deoptimize Node's HTTP code
 * paths for it. Here the classes' prototypes become `app.request` / `app.response`, so Express's
 * call is a no-op. They are subclasses (`extends`), not plain functions calling the Node
 * constructor: V8 sizes a subclass's objects for the properties its base constructors assign, so
 * the ~40 fields Node sets stay fast properties; a plain function's objects overflowed into
 * dictionary mode on Node's first symbol-keyed store, which cost as much CPU per request as the
 * whole raw server. See docs/decisions/0102 and 0106.
 * @param {import('express').Express} app
 * @returns {import('node:http').ServerOptions}
 */
function expressServerOptions(app) {
  class Request extends IncomingMessage {}
  Object.setPrototypeOf(Request.prototype, app.request);
  app.request = /** @type {import('express').Request} */ (/** @type {unknown} */ (Request.prototype));
  class Response extends ServerResponse {}
  Object.setPrototypeOf(Response.prototype, app.response);
  app.response = /** @type {import('express').Response} */ (/** @type {unknown} */ (Response.prototype));
  return /** @type {import('node:http').ServerOptions} */ (
    /** @type {unknown} */ ({ IncomingMessage: Request, ServerResponse: Response })
  );
}

/**
 * @param {import('./config.js').RuntimeConfig} config
 * @param {RuntimeState} state
 * @param {import('./logger.js').Logger} log
 */
async function load(config, state, log) {
  const started = performance.now();
  try {
    if (needsInstall(config.functionDir)) state.setLoading('installing dependencies');
    const dir = await prepareDependencies(config.functionDir, config.depsCacheDir, log);
    state.setLoading(`loading ${config.handler}`);
    const handler = await loadHandler(dir, config.handler);
    state.setLoaded(handler);
    log.info('ready', {
      handler: config.handler,
      dir,
      loadMs: Math.round(performance.now() - started),
      sinceStartMs: Math.round(performance.now()),
    });
  } catch (err) {
    const reason = err instanceof LoadError ? err.message : `loading the function failed: ${String(err)}`;
    state.setFailed(reason);
    log.error('function not loaded', { reason });
  }
}

/**
 * Stop accepting connections, report not ready, let in-flight invocations finish (each is bounded
 * by the timeout), then close every connection.
 * @param {import('node:http').Server} server
 * @param {RuntimeState} state
 * @param {import('./config.js').RuntimeConfig} config
 * @param {import('./logger.js').Logger} log
 */
async function drain(server, state, config, log) {
  log.info('shutting down', { inFlight: state.inFlight });
  state.startDraining();
  const closed = new Promise((resolve) => server.close(() => resolve(undefined)));
  server.closeIdleConnections();
  const idle = await state.waitIdle(config.timeoutMs + 2000);
  if (!idle) log.warn('in-flight invocations still running at shutdown', { inFlight: state.inFlight });
  server.closeAllConnections();
  await closed;
  log.info('stopped');
}
