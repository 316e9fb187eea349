// Runs one control-plane process: output to a log file, restarts with capped backoff when it
// dies unexpectedly, and a parent-death signal so that no process outlives its owner.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';
const MAX_BACKOFF_MS = 30_000;
const HEALTHY_RUN_MS = 60_000;

export interface SupervisedOptions {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  log?: (line: string) => void;
}

export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoffMs = 1000;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Exit codes of runs that ended on their own, newest last. */
  readonly crashes: Array<{ code: number | null; signal: NodeJS.Signals | null; at: Date }> = [];

  constructor(private readonly options: SupervisedOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.stopping = false;
    const { command, args, logFile, env, cwd } = this.options;
    const fd = openSync(logFile, 'a');
    // setpriv makes the kernel kill the child if this process dies without cleaning up.
    const [file, argv] = existsSync(SETPRIV)
      ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', command, ...args]]
      : [command, args];
    const startedAt = Date.now();
    const child = spawn(file, argv, { env: env ?? process.env, cwd, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.child = child;
    child.on('error', (error) => this.options.log?.(`${this.options.name}: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.stopping) return;
      this.crashes.push({ code, signal, at: new Date() });
      if (Date.now() - startedAt > HEALTHY_RUN_MS) this.backoffMs = 1000;
      this.options.log?.(
        `${this.options.name} exited (${signal ?? `code ${code}`}); restarting in ${this.backoffMs / 1000}s ` +
          `(log: ${logFile})`,
      );
      this.restartTimer = setTimeout(() => this.start(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    });
  }

  /**
   * From now on an exit is expected, not restarted: called for every process before a shutdown
   * stops them one by one (a Ctrl-C in a terminal signals all of them at once).
   */
  expectExit(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    this.expectExit();
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
