// @ts-check
/**
 * Finding and loading the handler (docs/runtime-contract.md §1, §10).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { Module } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** @typedef {(event: import('./event.js').FunctionEvent, context: import('./context.js').InvocationContext) => unknown} Handler */

/** A problem with the function's code: the reason is shown by /ready. */
export class LoadError extends Error {}

const EXTENSIONS = ['.js', '.mjs', '.cjs'];

/**
 * Splits `handler.handle` (or `lib/handler.handle`) at the last dot.
 * @param {string} spec
 * @returns {{ module: string, exportName: string }}
 */
export function parseHandlerSpec(spec) {
  const dot = spec.lastIndexOf('.');
  const module = spec.slice(0, dot);
  const exportName = spec.slice(dot + 1);
  if (dot <= 0 || exportName === '' || module.endsWith('/')) {
    throw new LoadError(`FUNCTION_HANDLER "${spec}" must have the form <file>.<export>, e.g. handler.handle`);
  }
  if (module.split(/[\\/]/).includes('..') || module.startsWith('/')) {
    throw new LoadError(`FUNCTION_HANDLER "${spec}" must name a file inside the function directory`);
  }
  return { module, exportName };
}

/**
 * The handler's file: `<module>.js`, `.mjs` or `.cjs` (or `<module>` itself when it has one of them).
 * @param {string} dir
 * @param {string} module
 */
export function findHandlerFile(dir, module) {
  const candidates = EXTENSIONS.some((ext) => module.endsWith(ext))
    ? [module, ...EXTENSIONS.map((ext) => module + ext)]
    : EXTENSIONS.map((ext) => module + ext);
  for (const name of candidates) {
    const file = join(dir, name);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  const others = candidates.slice(1).join(', ');
  throw new LoadError(`handler file ${candidates[0]} (or ${others}) not found in ${dir}`);
}

/**
 * Imports the file: ESM or CommonJS as Node decides (nearest package.json "type", else syntax).
 * A CommonJS file that lands in an ESM scope only because of a package.json *above* the function
 * directory is compiled as CommonJS instead.
 * @param {string} file
 * @returns {Promise<Record<string, unknown>>}
 */
async function importFile(file) {
  try {
    return await import(pathToFileURL(file).href);
  } catch (err) {
    if (err instanceof ReferenceError && /is not defined in ES module scope/.test(err.message)) {
      return { default: compileCommonJs(file) };
    }
    throw err;
  }
}

/** @param {string} file */
function compileCommonJs(file) {
  const mod = new Module(file);
  mod.filename = file;
  // @ts-expect-error -- documented in the CommonJS loader, missing from @types/node
  mod.paths = Module._nodeModulePaths(dirname(file));
  // @ts-expect-error -- documented in the CommonJS loader, missing from @types/node
  mod._compile(readFileSync(file, 'utf8'), file);
  mod.loaded = true;
  return mod.exports;
}

/**
 * Picks the handler out of a module namespace.
 * @param {Record<string, unknown>} ns
 * @param {string} exportName
 * @param {string} fileName for messages
 * @returns {Handler}
 */
export function pickHandler(ns, exportName, fileName) {
  const direct = ns[exportName];
  if (typeof direct === 'function') return /** @type {Handler} */ (direct);
  const def = /** @type {any} */ (ns.default);
  if (def !== null && (typeof def === 'object' || typeof def === 'function')) {
    const member = def[exportName];
    if (typeof member === 'function') return /** @type {Handler} */ (member.bind(def));
  }
  if (typeof def === 'function' && exportName === 'handle' && direct === undefined) {
    return /** @type {Handler} */ (def);
  }
  const found = direct ?? (def !== null && typeof def === 'object' ? def[exportName] : undefined);
  if (found !== undefined) {
    throw new LoadError(`export "${exportName}" of ${fileName} is not a function (it is ${describe(found)})`);
  }
  throw new LoadError(`handler module ${fileName} has no export "${exportName}"`);
}

/** @param {unknown} v */
function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/**
 * Loads the handler named by `spec` from `dir`.
 * @param {string} dir
 * @param {string} spec e.g. `handler.handle`
 * @returns {Promise<Handler>}
 */
export async function loadHandler(dir, spec) {
  const { module, exportName } = parseHandlerSpec(spec);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new LoadError(`function directory ${dir} not found`);
  }
  const file = findHandlerFile(dir, module);
  const fileName = basename(file);
  /** @type {Record<string, unknown>} */
  let ns;
  try {
    ns = await importFile(file);
  } catch (err) {
    const e = /** @type {Error} */ (err);
    throw new LoadError(`loading ${fileName} failed: ${e?.constructor?.name ?? 'Error'}: ${e?.message ?? e}`);
  }
  return pickHandler(ns, exportName, fileName);
}
