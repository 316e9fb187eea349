#!/usr/bin/env node
// @ts-check
/**
 * The runtime process: `node src/server.js`, configured by the environment
 * (docs/runtime-contract.md). Exits 0 after a graceful drain on SIGTERM or SIGINT.
 */
import { createLogger } from './logger.js';
import { startRuntime } from './runtime.js';

const log = createLogger();

process.on('unhandledRejection', (reason) => {
  log.error('unhandled promise rejection in the function', { error: reason });
});
process.on('uncaughtException', (err) => {
  log.error('uncaught exception in the function', { error: err });
});

try {
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
