/**
 * YAML request bodies read as kube-apiserver reads them (sigs.k8s.io/yaml over go-yaml v2), so a
 * body means the same to us as to the backing CRD: YAML 1.1 scalars (y, yes, on are true; 017 is
 * octal; 1_000 is 1000; timestamps stay strings), the first document only, merge keys applied in
 * document order, non-string keys turned into strings, NaN/Inf and collection keys refused. A key
 * set twice in one mapping keeps the last value and is reported as go-yaml's strict mode words it.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  type Scalar,
  visit,
  type YAMLMap,
} from 'yaml';

/** A body kube-apiserver cannot turn into JSON; the message is go-yaml's or encoding/json's. */
export class YamlBodyError extends Error {}

/** An integer outside JavaScript's safe range, kept as its decimal text. */
export class BigInteger {
  constructor(readonly text: string) {}
}

export interface DecodedYaml {
  value: unknown;
  /** `line 4: key "runtime" already set in map`, one entry per repeated key. */
  duplicates: string[];
}

const TAG = 'tag:yaml.org,2002:';
const BOOLS: Record<string, boolean> = {};
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) BOOLS[s] = true;
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'])
  BOOLS[s] = false;
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS: Record<string, number> = {};
for (const s of ['.nan', '.NaN', '.NAN']) SPECIAL_FLOATS[s] = Number.NaN;
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'])
  SPECIAL_FLOATS[s] = Number.POSITIVE_INFINITY;
for (const s of ['-.inf', '-.Inf', '-.INF']) SPECIAL_FLOATS[s] = Number.NEGATIVE_INFINITY;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const GO_INT = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

/** strconv.ParseInt(s, 0, 64), then ParseUint for large positives (go-yaml's order). */
function goInteger(plain: string): number | BigInteger | undefined {
  const m = GO_INT.exec(plain);
  if (!m) return undefined;
  const digits = m[2]!;
  const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits.toLowerCase());
  const n = m[1] === '-' ? -magnitude : magnitude;
  const fits = (n >= INT64_MIN && n <= INT64_MAX) || (m[1] === '' && n <= UINT64_MAX);
  if (!fits) return undefined;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(n)
    : new BigInteger(n.toString());
}

type Resolved = { tag: 'str' | 'bool' | 'null' | 'int' | 'float'; value: unknown };

/** go-yaml's first-character hint: which kinds of value a plain scalar may resolve to. */
function hintOf(text: string): string | undefined {
  const c = text[0];
  if (c === undefined) return 'N';
  if (c >= '0' && c <= '9') return 'D';
  if (c === '+' || c === '-') return 'S';
  if (c === '.') return '.';
  return 'yYnNtTfFoO~'.includes(c) ? 'M' : undefined;
}

/** go-yaml v2 resolve() for an untagged plain scalar (or a tagged one, checked by the caller). */
function resolvePlain(text: string): Resolved {
  const hint = hintOf(text);
  if (!hint) return { tag: 'str', value: text };
  if (text in BOOLS) return { tag: 'bool', value: BOOLS[text] };
  if (NULLS.has(text)) return { tag: 'null', value: null };
  if (text in SPECIAL_FLOATS) return { tag: 'float', value: SPECIAL_FLOATS[text] };
  if (hint === '.') {
    const f = DOT_FLOAT.test(text) ? Number(text) : Number.NaN;
    if (Number.isFinite(f)) return { tag: 'float', value: f };
  }
  if (hint === 'D' || hint === 'S') {
    // Timestamps stay strings for untyped targets; they never parse as numbers either.
    const plain = text.replaceAll('_', '');
    const int = goInteger(plain);
    if (int !== undefined) return { tag: 'int', value: int };
    if (YAML_FLOAT.test(plain)) {
      const f = Number(plain);
      if (Number.isFinite(f)) return { tag: 'float', value: f };
    }
  }
  return { tag: 'str', value: text };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function scalarValue(node: Scalar): unknown {
  const text = String(node.value ?? '');
  const tag = node.tag;
  if (!tag) return node.type === 'PLAIN' ? resolvePlain(text).value : text;
  if (tag === `${TAG}str`) return text;
  if (tag === `${TAG}binary`) {
    const b64 = text.replace(/[\r\n]/g, '');
    if (!BASE64.test(b64)) throw new YamlBodyError('yaml: !!binary value contains invalid base64 data');
    return Buffer.from(b64, 'base64').toString('utf8');
  }
  const wanted = /^tag:yaml\.org,2002:(bool|int|float|null|timestamp)$/.exec(tag)?.[1];
  if (!wanted) return text;
  const resolved = resolvePlain(text);
  if (resolved.tag === wanted || (wanted === 'timestamp' && resolved.tag === 'str')) return resolved.value;
  if (wanted === 'float' && resolved.tag === 'int') {
    const v = resolved.value;
    return v instanceof BigInteger ? Number(v.text) : v;
  }
  throw new YamlBodyError(`yaml: cannot decode !!${resolved.tag} \`${text}\` as a !!${wanted}`);
}

/** Go's %#v of a decoded key, as the strict-mode message prints it. */
const goKey = (key: unknown) =>
  typeof key === 'string' ? JSON.stringify(key) : key instanceof BigInteger ? key.text : String(key);

/** sigs.k8s.io/yaml: the JSON object key for a YAML key. */
function jsonKey(key: unknown, value: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'boolean') return String(key);
  if (key instanceof BigInteger) return key.text;
  if (typeof key === 'number') {
    if (Number.isNaN(key)) return '.nan';
    if (key === Number.POSITIVE_INFINITY) return '.inf';
    if (key === Number.NEGATIVE_INFINITY) return '-.inf';
    return String(key);
  }
  throw new YamlBodyError(
    `unsupported map key of type: %!s(<nil>), key: <nil>, value: ${JSON.stringify(value) ?? 'null'}`,
  );
}

/** Expanded nodes allowed per document node (go-yaml refuses "excessive aliasing" too). */
const MAX_EXPANSION = 5_000_000;

interface Entry {
  key: unknown;
  value: unknown;
}

class Decoder {
  private visited = 0;
  readonly duplicates: string[] = [];
  private readonly anchors = new Map<string, { at: number; node: Node }[]>();

  constructor(
    doc: Document,
    private readonly lines: LineCounter,
  ) {
    visit(doc, {
      Node: (_key, node) => {
        if (!node.anchor) return;
        const list = this.anchors.get(node.anchor) ?? [];
        list.push({ at: node.range?.[0] ?? 0, node });
        this.anchors.set(node.anchor, list);
      },
    });
  }

  private line(node: Node | null | undefined, fallback?: Node | null): number {
    const at = node?.range?.[0] ?? fallback?.range?.[0] ?? 0;
    return this.lines.linePos(at).line;
  }

  /** An alias names the last node anchored before it (anchors may be redefined). */
  private deref(node: unknown): Node | null {
    let n = node as Node | null;
    for (let depth = 0; n && isAlias(n); depth++) {
      if (depth > 100) throw new YamlBodyError('yaml: alias chain too long');
      const at = n.range?.[0] ?? 0;
      const candidates = this.anchors.get(n.source) ?? [];
      let target: Node | null = null;
      for (const c of candidates) if (c.at < at) target = c.node;
      if (!target) throw new YamlBodyError(`yaml: unknown anchor '${n.source}' referenced`);
      n = target;
    }
    return n ?? null;
  }

  value(node: unknown): unknown {
    if (++this.visited > MAX_EXPANSION) throw new YamlBodyError('yaml: document contains excessive aliasing');
    const n = this.deref(node);
    if (n === null) return null;
    if (isScalar(n)) return scalarValue(n);
    if (isSeq(n)) return n.items.map((item) => this.value(item));
    if (isMap(n)) {
      const target = new Map<unknown, Entry>();
      this.mapping(n, target);
      const out: Record<string, unknown> = Object.create(null);
      for (const { key, value } of target.values()) out[jsonKey(key, value)] = value;
      return out;
    }
    return null;
  }

  /** go-yaml decoder.mapping(): keys in order, merges where they stand, repeats reported. */
  private mapping(map: YAMLMap, target: Map<unknown, Entry>): void {
    for (const pair of map.items) {
      const rawKey = pair.key as Node | null;
      if (
        isScalar(rawKey) &&
        rawKey.value === '<<' &&
        ((rawKey.type === 'PLAIN' && !rawKey.tag) || rawKey.tag === `${TAG}merge`)
      ) {
        this.merge(pair.value, target);
        continue;
      }
      const keyNode = this.deref(rawKey);
      if (keyNode && !isScalar(keyNode)) {
        throw new YamlBodyError(`yaml: invalid map key: ${JSON.stringify(this.value(keyNode))}`);
      }
      const key = keyNode ? scalarValue(keyNode) : null;
      // Go compares interface values: 1 and "1" are different keys.
      const id = key instanceof BigInteger ? `${typeof key}:${key.text}` : key;
      const value = this.value(pair.value);
      if (target.has(id)) {
        this.duplicates.push(
          `line ${this.line(pair.value as Node, rawKey)}: key ${goKey(key)} already set in map`,
        );
        target.delete(id);
      }
      target.set(id, { key, value });
    }
  }

  private merge(node: unknown, target: Map<unknown, Entry>): void {
    const n = this.deref(node);
    const mapOf = (item: unknown) => {
      const m = this.deref(item);
      if (!isMap(m)) throw new YamlBodyError('yaml: map merge requires map or sequence of maps as the value');
      return m;
    };
    if (isSeq(n)) {
      // go-yaml steps backwards: earlier maps take precedence.
      for (let i = n.items.length - 1; i >= 0; i--) this.mapping(mapOf(n.items[i]), target);
    } else {
      this.mapping(mapOf(n), target);
    }
  }
}

function firstDocument(raw: string): { doc: Document | undefined; lines: LineCounter } {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(raw, {
    lineCounter: lines,
    merge: false,
    prettyErrors: false,
    schema: 'failsafe',
    uniqueKeys: false,
    version: '1.1',
  });
  const docs = Array.isArray(parsed) ? parsed : [];
  const doc = docs[0];
  const next = docs[1]?.range[0];
  if (doc?.errors.length && next !== undefined) {
    // go-yaml reads the first document only; errors further on may be attributed to it here.
    return firstDocument(raw.slice(0, next));
  }
  const error = doc?.errors[0];
  if (error) {
    const line = lines.linePos(error.pos[0]).line;
    const text = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new YamlBodyError(`yaml: line ${line}: ${text.charAt(0).toLowerCase()}${text.slice(1)}`);
  }
  return { doc, lines };
}

/** Decodes a YAML body; throws YamlBodyError where sigs.k8s.io/yaml's YAMLToJSON fails. */
export function decodeYaml(raw: string): DecodedYaml {
  const { doc, lines } = firstDocument(raw);
  if (!doc) return { value: null, duplicates: [] };
  const decoder = new Decoder(doc, lines);
  const value = decoder.value(doc.contents);
  return { value, duplicates: decoder.duplicates };
}

/** JSON text of a decoded body (big integers exact; NaN and Inf refused like encoding/json). */
export function toJsonText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof BigInteger) return value.text;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      const name = Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
      throw new YamlBodyError(`json: unsupported value: ${name}`);
    }
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
}

/**
 * The YAML text with top-level string scalars replaced (`apiVersion` → the backing group), every
 * other byte kept, so the backing server reads the rest exactly as the client wrote it. Undefined
 * when a value to replace is not a plain or quoted scalar of its own (an alias, say).
 */
export function replaceTopLevelScalars(raw: string, replace: Record<string, string>): string | undefined {
  const { doc } = firstDocument(raw);
  const root = doc?.contents;
  if (!isMap(root)) return undefined;
  const edits: { from: number; to: number; text: string }[] = [];
  for (const pair of root.items) {
    const key = pair.key;
    if (!isScalar(key) || key.tag || typeof key.value !== 'string' || !(key.value in replace)) continue;
    const value = pair.value;
    if (!isScalar(value) || !value.range || value.type?.startsWith('BLOCK')) return undefined;
    edits.push({ from: value.range[0], to: value.range[1], text: JSON.stringify(replace[key.value]) });
  }
  let out = raw;
  for (const edit of edits.sort((a, b) => b.from - a.from)) {
    out = out.slice(0, edit.from) + edit.text + out.slice(edit.to);
  }
  return out;
}
