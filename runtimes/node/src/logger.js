// @ts-check
/**
 * JSON-lines logger on stdout (docs/runtime-contract.md §7).
 */

/** @typedef {'debug' | 'info' | 'warn' | 'error'} Level */
/** @typedef {(msg: unknown, fields?: Record<string, unknown>) => void} LogFn */
/** @typedef {{ debug: LogFn, info: LogFn, warn: LogFn, error: LogFn, child: (base: Record<string, unknown>) => Logger }} Logger */

/**
 * @param {(line: string) => void} [write] where lines go; stdout by default
 * @param {Record<string, unknown>} [base] fields added to every line
 * @returns {Logger}
 */
export function createLogger(write = (line) => process.stdout.write(line), base = {}) {
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
      write(`${safeStringify(entry)}\n`);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => createLogger(write, { ...base, ...more }),
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
