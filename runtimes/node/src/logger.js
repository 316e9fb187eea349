// @ts-check
/**
 * JSON-lines logger on stdout (docs/runtime-contract.md §7).
 */
import { writeSync } from 'node:fs';

/** @typedef {'debug' | 'info' | 'warn' | 'error'} Level */
/** @typedef {(msg: unknown, fields?: Record<string, unknown>) => void} LogFn */
/**
 * @typedef {object} Logger
 * @property {LogFn} debug
 * @property {LogFn} info
 * @property {LogFn} warn
 * @property {LogFn} error
 * @property {(line: string) => void} raw writes an already serialized line (with its newline)
 * @property {(base: Record<string, unknown>) => Logger} child
 */

/**
 * A stdout writer that gathers the lines of one event-loop turn into one write: under load, one
 * system call for many invocation lines. Whatever is pending is written synchronously at exit.
 * @returns {(line: string) => void}
 */
export function bufferedStdout() {
  /** @type {string[]} */
  let pending = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const data = pending.join('');
    pending = [];
    process.stdout.write(data);
  };
  process.once('exit', () => {
    if (pending.length > 0) writeSync(1, pending.join(''));
    pending = [];
  });
  return (line) => {
    pending.push(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}

/** @type {((line: string) => void) | undefined} */
let stdoutWriter;

/** The process-wide buffered stdout writer. */
function stdoutSink() {
  if (stdoutWriter === undefined) stdoutWriter = bufferedStdout();
  return stdoutWriter;
}

/**
 * @param {(line: string) => void} [write] where lines go; stdout (buffered per tick) by default
 * @param {Record<string, unknown>} [base] fields added to every line
 * @returns {Logger}
 */
export function createLogger(write, base = {}) {
  const sink = write ?? stdoutSink();
  /** @param {Level} level */
  const at =
    (level) =>
    /** @type {LogFn} */
    (msg, fields) => {
      const entry = {
        time: new Date().toISOString(),
        level,
        msg: typeof msg === 'string' ? msg : String(msg),
        ...base,
        ...fields,
      };
      sink(`${safeStringify(entry)}\n`);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    raw: sink,
    child: (more) => createLogger(sink, { ...base, ...more }),
  };
}

/**
 * JSON.stringify that never throws: a log call must not break an invocation.
 * @param {unknown} value
 */
function safeStringify(value) {
  try {
    return JSON.stringify(value, (_k, v) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Error) return { type: v.constructor.name, message: v.message };
      return v;
    });
  } catch {
    const { time, level, msg } = /** @type {{time: string, level: string, msg: string}} */ (value);
    return JSON.stringify({ time, level, msg, logError: 'fields could not be serialized' });
  }
}
