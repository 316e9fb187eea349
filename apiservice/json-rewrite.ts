/**
 * Sends a JSON body on as the client wrote it, but for the strings the translation changed
 * (apiVersion, kind, managedFields[].apiVersion). Re-serializing the parsed body would lose what
 * kube-apiserver judges in the original bytes: repeated keys (a 400 or a warning under
 * fieldValidation Strict or Warn), integers beyond 2^53, the order of fields in its messages.
 */

type Path = (string | number)[];
export interface StringChange {
  path: Path;
  from: string;
  to: string;
}

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] =>
  typeof v === 'object' && v !== null;

/** Where `after` (the translated copy) holds another string than `before` at the same place. */
export function changedStrings(before: unknown, after: unknown): StringChange[] {
  const out: StringChange[] = [];
  const path: Path = [];
  const walk = (b: unknown, a: unknown): void => {
    if (typeof b === 'string') {
      if (typeof a === 'string' && a !== b) out.push({ path: [...path], from: b, to: a });
      return;
    }
    if (!isContainer(b) || !isContainer(a) || Array.isArray(b) !== Array.isArray(a)) return;
    if (Array.isArray(b)) {
      const arr = a as unknown[];
      for (let i = 0; i < b.length && i < arr.length; i++) {
        path.push(i);
        walk(b[i], arr[i]);
        path.pop();
      }
      return;
    }
    const obj = a as Record<string, unknown>;
    for (const key of Object.keys(b)) {
      if (!Object.hasOwn(obj, key)) continue;
      path.push(key);
      walk(b[key], obj[key]);
      path.pop();
    }
  };
  walk(before, after);
  return out;
}

/** A cursor over valid JSON text (the caller has parsed it with JSON.parse already). */
class Scanner {
  i = 0;
  constructor(readonly text: string) {}

  ws(): void {
    const t = this.text;
    while (t[this.i] === ' ' || t[this.i] === '\n' || t[this.i] === '\r' || t[this.i] === '\t') this.i++;
  }

  /** Index just past the string that starts at i. */
  stringEnd(): number {
    const t = this.text;
    let j = this.i + 1;
    for (;;) {
      const q = t.indexOf('"', j);
      if (q < 0) return t.length;
      let backslashes = 0;
      for (let k = q - 1; t[k] === '\\'; k--) backslashes++;
      if (backslashes % 2 === 0) return q + 1;
      j = q + 1;
    }
  }

  /** Skips one value of any kind. */
  skip(): void {
    const t = this.text;
    const c = t[this.i];
    if (c === '"') {
      this.i = this.stringEnd();
      return;
    }
    if (c !== '{' && c !== '[') {
      while (this.i < t.length && !',}] \n\r\t'.includes(t[this.i]!)) this.i++;
      return;
    }
    let depth = 0;
    while (this.i < t.length) {
      const d = t[this.i];
      if (d === '"') {
        this.i = this.stringEnd();
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') depth--;
      this.i++;
      if (depth === 0) return;
    }
  }
}

/**
 * The text with each changed string replaced where it stands. Where a key repeats, every
 * occurrence that held the translated-from value is replaced; other repeats stay as written.
 */
export function rewriteJsonStrings(raw: string, changes: readonly StringChange[]): string {
  if (changes.length === 0) return raw;
  const s = new Scanner(raw);
  const edits: { from: number; to: number; text: string }[] = [];

  const visit = (pending: readonly StringChange[], depth: number): void => {
    s.ws();
    const c = raw[s.i];
    const here = pending.filter((ch) => ch.path.length === depth);
    if (c === '"' && here.length) {
      const start = s.i;
      s.i = s.stringEnd();
      const value = JSON.parse(raw.slice(start, s.i)) as string;
      const change = here.find((ch) => ch.from === value);
      if (change) edits.push({ from: start, to: s.i, text: JSON.stringify(change.to) });
      return;
    }
    const deeper = pending.filter((ch) => ch.path.length > depth);
    if (!deeper.length || (c !== '{' && c !== '[')) {
      s.skip();
      return;
    }
    s.i++;
    for (let index = 0; ; index++) {
      s.ws();
      if (raw[s.i] === '}' || raw[s.i] === ']') break;
      let step: string | number = index;
      if (c === '{') {
        const start = s.i;
        s.i = s.stringEnd();
        step = JSON.parse(raw.slice(start, s.i)) as string;
        s.ws();
        s.i++; // ':'
      }
      const next = deeper.filter((ch) => ch.path[depth] === step);
      if (next.length) visit(next, depth + 1);
      else {
        s.ws();
        s.skip();
      }
      s.ws();
      if (raw[s.i] === ',') s.i++;
    }
    s.i++;
  };

  visit(changes, 0);
  let out = raw;
  for (const edit of edits.sort((a, b) => b.from - a.from)) {
    out = out.slice(0, edit.from) + edit.text + out.slice(edit.to);
  }
  return out;
}

/** Parses a JSON body, translates a copy, and returns the body to send on. */
export function translateJsonText<T>(raw: string, parsed: unknown, translate: (copy: unknown) => T): string {
  const translated = translate(JSON.parse(raw));
  return rewriteJsonStrings(raw, changedStrings(parsed, translated));
}
