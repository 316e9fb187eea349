// @ts-check
import { resolve } from 'node:path';

/**
 * Runtime configuration from the environment (docs/runtime-contract.md §1).
 */

/**
 * @typedef {object} RuntimeConfig
 * @property {string} functionDir
 * @property {string} handler
 * @property {string} functionName
 * @property {string} namespace
 * @property {number} timeoutMs
 * @property {number} maxBodyBytes
 * @property {number} port
 * @property {string} host
 * @property {string} depsCacheDir
 */

/** @typedef {{ warn: (msg: string, fields?: Record<string, unknown>) => void }} WarnLogger */

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {WarnLogger} [log]
 * @returns {RuntimeConfig}
 */
export function loadConfig(env = process.env, log) {
  /**
   * @param {string} name
   * @param {number} fallback
   * @param {(n: number) => boolean} valid
   */
  const num = (name, fallback, valid) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || !valid(n)) {
      log?.warn(`invalid ${name}, using the default`, { value: raw, default: fallback });
      return fallback;
    }
    return n;
  };
  const str = (/** @type {string} */ name, /** @type {string} */ fallback) => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  };
  const positive = (/** @type {number} */ n) => n > 0;
  const positiveInt = (/** @type {number} */ n) => n > 0 && Number.isInteger(n);
  return {
    functionDir: resolve(str('FUNCTION_DIR', '/function')),
    handler: str('FUNCTION_HANDLER', 'handler.handle'),
    functionName: str('FUNCTION_NAME', 'function'),
    namespace: str('FUNCTION_NAMESPACE', 'default'),
    timeoutMs: Math.round(num('FUNCTION_TIMEOUT_SECONDS', 30, positive) * 1000),
    maxBodyBytes: num('FUNCTION_MAX_BODY_BYTES', 6291456, positiveInt),
    port: num('PORT', 8080, (n) => Number.isInteger(n) && n >= 0 && n < 65536),
    host: str('HOST', '0.0.0.0'),
    depsCacheDir: str('FUNCTION_DEPS_CACHE_DIR', '/tmp/kube-serverless/node-deps'),
  };
}
