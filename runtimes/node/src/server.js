#!/usr/bin/env node
// @ts-check
/**
 * The runtime process: `node src/server.js`, configured by the environment
 * (docs/runtime-contract.md). Exits 0 after a graceful drain on SIGTERM or SIGINT.
 */
import module from 'node:module';
import { createLogger } from './logger.js';

// Node 22.1+: keep V8's compiled code of the runtime and its dependencies on disk
// (NODE_COMPILE_CACHE, which the image pre-fills), which shortens every cold start after the first.
/** @type {{ enableCompileCache?: () => unknown }} */ (module).enableCompileCache?.();

const log = createLogger();

process.on('unhandledRejection', (reason) => {
  log.error('unhandled promise rejection in the function', { error: reason });
});
process.on('uncaughtException', (err) => {
  log.error('uncaught exception in the function', { error: err });
});

try {
  const { startRuntime } = await import('./runtime.js');
  const runtime = await startRuntime();
  const stop = async () => {
    await runtime.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  log.error('the runtime could not start', { error: err });
  process.exit(1);
}
