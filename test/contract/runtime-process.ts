/**
 * Runs a function runtime as a local process, the way its `local.json` says
 * (docs/runtime-contract.md §11), on a free 127.0.0.1 port; always kills what it spawns.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pickFreePort } from '../../src/local-cluster/ports.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const LANGUAGES = ['node', 'python', 'go'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface LocalSpec {
  image: string;
  command: string[];
  cwd: string;
  env?: Record<string, string>;
  readyTimeoutSeconds?: number;
}

export function runtimeDir(lang: Language): string {
  return join(REPO_ROOT, 'runtimes', lang);
}

/** The runtime's local.json, or undefined when that runtime does not have one (yet). */
export function readLocalSpec(lang: Language): LocalSpec | undefined {
  const file = join(runtimeDir(lang), 'local.json');
  if (!existsSync(file)) return undefined;
  const spec = JSON.parse(readFileSync(file, 'utf8')) as LocalSpec;
  if (!Array.isArray(spec.command) || spec.command.length === 0 || typeof spec.image !== 'string') {
    throw new Error(`${file}: "image" and a non-empty "command" are required`);
  }
  return spec;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: () => unknown;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** send the body with chunked transfer encoding (no content-length) */
  chunked?: boolean;
  timeoutMs?: number;
}

/** One request on a fresh connection, headers exactly as given (no defaults added but host). */
export function request(baseUrl: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse> {
  const url = new URL(path, baseUrl);
  return new Promise((resolvePromise, reject) => {
    const headers: Record<string, string | string[]> = { ...opts.headers };
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    if (body !== undefined && !opts.chunked) headers['content-length'] = String(body.length);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: opts.method ?? 'GET',
        headers,
        agent: false,
        timeout: opts.timeoutMs ?? 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const text = buf.toString('utf8');
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: buf,
            text,
            json: () => JSON.parse(text),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${opts.method ?? 'GET'} ${path}: no answer in time`)));
    req.on('error', reject);
    if (body !== undefined) {
      if (opts.chunked) {
        // two writes so that the body really goes out in chunks
        req.write(body.subarray(0, Math.floor(body.length / 2)));
        req.write(body.subarray(Math.floor(body.length / 2)));
      } else req.write(body);
    }
    req.end();
  });
}

/** A free TCP port on 127.0.0.1 (free when asked; the runtime binds it right after). */
export const freePort = pickFreePort;

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole group: runtimes may start children (compilers)
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

// Whatever happens to the test process, nothing it started outlives it.
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const child of live) killGroup(child, 'SIGKILL');
    process.exit(130);
  });
}

export interface StartOptions {
  functionDir: string;
  env?: Record<string, string>;
}

export class RuntimeProcess {
  readonly lines: string[] = [];
  private stderrTail = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly lang: Language,
    readonly child: ChildProcess,
    readonly url: string,
    readonly spec: LocalSpec,
  ) {
    let partial = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.trim() !== '') this.lines.push(line);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
      if (process.env.CONTRACT_VERBOSE) process.stderr.write(`[${lang}] ${chunk}`);
    });
    this.exited = new Promise((resolvePromise) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        resolvePromise({ code, signal });
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** stdout lines parsed as JSON (lines that are not JSON are returned as { unparsed: line }). */
  logs(): Record<string, unknown>[] {
    return this.lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { unparsed: line };
      }
    });
  }

  describe(): string {
    return `${this.lang} runtime at ${this.url}\n--- stdout (last lines)\n${this.lines.slice(-20).join('\n')}\n--- stderr (tail)\n${this.stderrTail}`;
  }

  request(path: string, opts?: RequestOptions): Promise<HttpResponse> {
    return request(this.url, path, opts);
  }

  /** Polls until `check` holds, failing early when the process exits. */
  async waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running)
        throw new Error(`${this.lang} runtime exited while waiting for ${what}\n${this.describe()}`);
      try {
        if (await check()) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${this.describe()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  get readyTimeoutMs(): number {
    return (this.spec.readyTimeoutSeconds ?? 120) * 1000;
  }

  waitReady(): Promise<void> {
    return this.waitUntil(
      '/ready 200',
      async () => (await this.request('/ready', { timeoutMs: 2000 })).status === 200,
      this.readyTimeoutMs,
    );
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** SIGTERM, then SIGKILL to the process group after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) {
      killGroup(this.child, 'SIGKILL');
      return;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => killGroup(this.child, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    killGroup(this.child, 'SIGKILL'); // leftovers of the group, if any
  }
}

/** Starts the runtime for `lang` on a free port; resolves once it listens (not necessarily ready). */
export async function startRuntime(lang: Language, opts: StartOptions): Promise<RuntimeProcess> {
  const spec = readLocalSpec(lang);
  if (spec === undefined) throw new Error(`runtimes/${lang}/local.json does not exist`);
  const dir = runtimeDir(lang);
  const [cmd, ...args] = spec.command as [string, ...string[]];
  const executable = cmd.includes('/') && !isAbsolute(cmd) ? join(dir, cmd) : cmd;
  if (executable.includes('/') && !existsSync(executable)) {
    throw new Error(
      `runtimes/${lang}/local.json: ${executable} does not exist (is the runtime set up? see its README)`,
    );
  }
  const port = await freePort();
  const child = spawn(executable, args, {
    cwd: join(dir, spec.cwd ?? '.'),
    env: {
      ...process.env,
      ...spec.env,
      FUNCTION_DIR: opts.functionDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  await new Promise<void>((resolvePromise, reject) => {
    child.once('spawn', () => resolvePromise());
    child.once('error', reject);
  });
  const rt = new RuntimeProcess(lang, child, `http://127.0.0.1:${port}`, spec);
  await rt.waitUntil(
    '/health 200',
    async () => (await rt.request('/health', { timeoutMs: 2000 })).status === 200,
    rt.readyTimeoutMs,
  );
  return rt;
}
