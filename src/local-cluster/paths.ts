// Where the local cluster keeps binaries (shared cache) and per-cluster state.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KS_CACHE_DIR) return env.KS_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kube-serverless');
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KS_STATE_DIR) return env.KS_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'kube-serverless', 'local');
}
