/**
 * A cursor over JSON text in a Buffer that walks only the members a caller asks about and skips
 * every other value without decoding it, in a byte loop the JIT compiles tightly. Structure is
 * checked (brackets match, keys are strings, members are separated); the contents of skipped
 * strings and literals are not. Anything unexpected throws NotScannable: the caller then takes
 * the exact, parsing path.
 */

export class NotScannable extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** A string token: its range in the text, quotes included. */
export interface StringToken {
  start: number;
  end: number;
}

export class JsonBytes {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get next(): number | undefined {
    return this.buf[this.pos];
  }

  ws(): void {
    const b = this.buf;
    while (isSpace(b[this.pos])) this.pos++;
  }

  /** At the end of the text (after whitespace)? */
  atEnd(): boolean {
    this.ws();
    return this.pos >= this.buf.length;
  }

  /**
   * Index just past the string whose opening quote is at `start`. A plain loop: most strings are
   * short keys, for which a native indexOf call costs more than the bytes it saves.
   */
  private stringEnd(start: number): number {
    const b = this.buf;
    const n = b.length;
    for (let i = start + 1; i < n; i++) {
      const c = b[i];
      if (c === QUOTE) return i + 1;
      if (c === BACKSLASH) i++;
    }
    throw new NotScannable('unterminated string');
  }

  /** The string token at the cursor; the cursor moves past it. */
  string(): StringToken {
    if (this.buf[this.pos] !== QUOTE) throw new NotScannable('a string was expected');
    const start = this.pos;
    this.pos = this.stringEnd(start);
    return { start, end: this.pos };
  }

  /** The value of a string token. */
  text(token: StringToken): string {
    const b = this.buf;
    for (let i = token.start + 1; i < token.end - 1; i++) {
      if (b[i] === BACKSLASH) return JSON.parse(b.toString('utf8', token.start, token.end)) as string;
    }
    return b.toString('utf8', token.start + 1, token.end - 1);
  }

  /** Skips one value of any kind. */
  skip(): void {
    const b = this.buf;
    const c = b[this.pos];
    if (c === QUOTE) {
      this.pos = this.stringEnd(this.pos);
      return;
    }
    if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) {
      const start = this.pos;
      while (this.pos < b.length) {
        const d = b[this.pos]!;
        if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || isSpace(d)) break;
        this.pos++;
      }
      if (this.pos === start) throw new NotScannable('a value was expected');
      return;
    }
    // Open containers on a stack, so that a `]` can never close a `{`.
    const open: number[] = [];
    let i = this.pos;
    while (i < b.length) {
      const d = b[i]!;
      if (d === QUOTE) {
        i = this.stringEnd(i);
        continue;
      }
      i++;
      if (d === OPEN_OBJECT || d === OPEN_ARRAY) open.push(d);
      else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
        if (open.pop() !== (d === CLOSE_OBJECT ? OPEN_OBJECT : OPEN_ARRAY))
          throw new NotScannable('mismatched bracket');
        if (open.length === 0) {
          this.pos = i;
          return;
        }
      }
    }
    throw new NotScannable('unterminated container');
  }

  /**
   * Calls `member` with each key of the object at the cursor, the cursor on the member's value;
   * `member` must move the cursor past the value (or return false to have it skipped).
   */
  members(member: (key: string, keyToken: StringToken) => boolean | undefined): void {
    const b = this.buf;
    if (b[this.pos] !== OPEN_OBJECT) throw new NotScannable('an object was expected');
    this.pos++;
    this.ws();
    if (b[this.pos] === CLOSE_OBJECT) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      const key = this.string();
      this.ws();
      if (b[this.pos] !== COLON) throw new NotScannable('a colon was expected');
      this.pos++;
      this.ws();
      if (!member(this.text(key), key)) this.skip();
      this.ws();
      const c = b[this.pos];
      this.pos++;
      if (c === CLOSE_OBJECT) return;
      if (c !== COMMA) throw new NotScannable('a comma or } was expected');
    }
  }

  /** Calls `element` for each element of the array at the cursor (same contract as members). */
  elements(element: () => boolean | undefined): void {
    const b = this.buf;
    if (b[this.pos] !== OPEN_ARRAY) throw new NotScannable('an array was expected');
    this.pos++;
    this.ws();
    if (b[this.pos] === CLOSE_ARRAY) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      if (!element()) this.skip();
      this.ws();
      const c = b[this.pos];
      this.pos++;
      if (c === CLOSE_ARRAY) return;
      if (c !== COMMA) throw new NotScannable('a comma or ] was expected');
    }
  }
}

/** A replacement of the bytes [start, end) by `text`. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The text with the edits made (edits must not overlap). */
export function applyEdits(buf: Buffer, edits: readonly Edit[]): Buffer {
  if (edits.length === 0) return buf;
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const parts: Buffer[] = [];
  let at = 0;
  for (const edit of sorted) {
    parts.push(buf.subarray(at, edit.start), Buffer.from(edit.text));
    at = edit.end;
  }
  parts.push(buf.subarray(at));
  return Buffer.concat(parts);
}
