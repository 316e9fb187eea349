// @ts-check
/**
 * Installing a function's npm dependencies at start, into a cache keyed by the hash of the
 * function's files (docs/decisions/0103-node-function-dependencies.md).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { LoadError } from './loader.js';

const MARKER = '.kube-serverless-installed';

/**
 * Does the function declare dependencies that are not already vendored?
 * @param {string} dir
 */
export function needsInstall(dir) {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  /** @type {any} */
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (err) {
    throw new LoadError(`package.json in ${dir} is not valid JSON: ${/** @type {Error} */ (err).message}`);
  }
  const deps = pkg?.dependencies;
  if (deps === null || typeof deps !== 'object' || Object.keys(deps).length === 0) return false;
  return !existsSync(join(dir, 'node_modules'));
}

/**
 * The function's files, relative paths sorted; skips node_modules and dot entries (a mounted
 * ConfigMap keeps its real files in `..data`, reached through top-level symlinks).
 * @param {string} dir
 * @returns {string[]}
 */
export function listFiles(dir) {
  /** @type {string[]} */
  const out = [];
  /** @param {string} d */
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const full = join(d, name);
      const st = statSync(full); // follows symlinks
      if (st.isDirectory()) walk(full);
      else if (st.isFile()) out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * @param {string} dir
 * @param {string[]} files
 */
export function hashFiles(dir, files) {
  const h = createHash('sha256');
  h.update(`node ${process.versions.node.split('.')[0]}\0`);
  for (const f of files) {
    h.update(`${f}\0`);
    h.update(readFileSync(join(dir, f)));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 32);
}

/**
 * The environment for npm: ours, minus what an enclosing `npm run` exported (it would point npm at
 * another project), with a cache inside the writable cache root.
 * @param {string} cacheRoot
 */
export function installEnv(cacheRoot) {
  /** @type {NodeJS.ProcessEnv} */
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      /^npm_(lifecycle_|package_|command$|execpath$|node_execpath$|config_(local_prefix|prefix|workspaces?|global)$)/i.test(
        k,
      )
    ) {
      continue;
    }
    env[k] = v;
  }
  env.npm_config_cache = join(cacheRoot, '.npm');
  env.npm_config_update_notifier = 'false';
  return env;
}

/**
 * @param {string} cwd
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<{ code: number | null, output: string }>}
 */
function run(cwd, args, env) {
  return new Promise((resolve) => {
    const child = spawn('npm', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (/** @type {Buffer} */ b) => {
      output = (output + b.toString('utf8')).slice(-8192);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => resolve({ code: null, output: err.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * Returns the directory to load the function from: `dir` itself when nothing needs installing,
 * else a copy of it under `cacheRoot` with its node_modules installed (reused when present).
 * @param {string} dir
 * @param {string} cacheRoot
 * @param {import('./logger.js').Logger} log
 * @returns {Promise<string>}
 */
export async function prepareDependencies(dir, cacheRoot, log) {
  if (!needsInstall(dir)) return dir;
  const files = listFiles(dir);
  const target = join(cacheRoot, hashFiles(dir, files));
  if (existsSync(join(target, MARKER))) {
    log.info('dependencies found in cache', { dir: target });
    return target;
  }
  const started = performance.now();
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(tmp, { recursive: true });
  try {
    for (const f of files) await cp(join(dir, f), join(tmp, f), { dereference: true });
    const locked = files.includes('package-lock.json') || files.includes('npm-shrinkwrap.json');
    const args = [locked ? 'ci' : 'install', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=warn'];
    log.info('installing dependencies', { command: `npm ${args.join(' ')}`, dir: target });
    const env = {
      ...process.env,
      npm_config_cache: join(cacheRoot, '.npm'),
      npm_config_update_notifier: 'false',
    };
    const { code, output } = await run(tmp, args, env);
    if (code !== 0) {
      const lastLine = output.trim().split('\n').filter(Boolean).pop() ?? '';
      log.error('installing dependencies failed', { exitCode: code, output });
      throw new LoadError(`installing dependencies failed (npm exit code ${code}): ${lastLine}`);
    }
    await writeFile(join(tmp, MARKER), new Date().toISOString());
    try {
      await rename(tmp, target);
    } catch (err) {
      // another process sharing the cache finished first: use its copy
      if (!existsSync(join(target, MARKER))) throw err;
      await rm(tmp, { recursive: true, force: true });
    }
    log.info('dependencies installed', { dir: target, durationMs: Math.round(performance.now() - started) });
    return target;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    if (err instanceof LoadError) throw err;
    throw new LoadError(`installing dependencies failed: ${/** @type {Error} */ (err).message}`);
  }
}
