/**
 * A list answer translated while it streams in: the scan of translate-bytes.ts, element by
 * element, so the first items go out while kube-apiserver is still sending the last ones and the
 * two transfers overlap (ADR 0461).
 *
 * kube-apiserver writes a list's keys sorted — apiVersion, items, kind, metadata — so the items
 * are translated before the list's kind is seen, on the expectation that a list is a list (not a
 * Table, a Status or a kind-less object, which the rules treat otherwise). The kind is checked at
 * the end: an answer that broke the expectation throws after bytes went out, and the caller must
 * then cut the answer rather than end it. Until the array starts nothing is sent: what cannot be
 * streamed throws NotScannable while the whole answer can still take the buffered path.
 */
import * as names from '../src/api/constants.ts';
import { applyEdits, type Edit, Incomplete, JsonBytes, NotScannable } from './json-bytes.ts';
import { KIND_TO_PUBLIC } from './translate.ts';
import {
  itemToPublic,
  type Members,
  noMembers,
  objectToPublic,
  readMember,
  replace,
  rowToPublic,
} from './translate-bytes.ts';

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

/** What the array's elements are: list items, Table rows, or data the rules leave alone. */
type Elements = 'items' | 'rows' | 'untouched';

export class ListAnswerStream {
  /** Bytes received and not yet sent. */
  private buf: Buffer = Buffer.alloc(0);
  private phase: 'head' | 'elements' | 'tail' = 'head';
  private elements: Elements = 'untouched';
  /** The list's members before its array, and every key the rules look at seen so far. */
  private head: Members = noMembers();
  private readonly seen = new Set<string>();
  /** The elements went out on the expectation that the list's kind, still to come, is a list's. */
  private expectListKind = false;
  private elementsSent = 0;

  /** Bytes that can be sent now (possibly none). */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    if (this.phase === 'head') {
      const head = this.readHead();
      if (!head) return out;
      out.push(head);
    }
    if (this.phase === 'elements') out.push(this.readElements());
    return out.filter((b) => b.length > 0);
  }

  /** The rest of the answer, once all of it has arrived. */
  end(): Buffer {
    if (this.phase !== 'tail') throw new NotScannable(`the answer ended in its ${this.phase}`);
    return this.readTail();
  }

  /** The list's members up to its array, sent with their edits once the array starts. */
  private readHead(): Buffer | undefined {
    const s = new JsonBytes(this.buf);
    const members = noMembers();
    const seen = new Set<string>();
    try {
      s.ws();
      s.expect(OPEN_OBJECT, 'an object');
      for (;;) {
        s.ws();
        const key = s.text(s.string());
        s.ws();
        s.expect(COLON, 'a colon');
        s.ws();
        if ((key === 'items' || key === 'rows') && s.next === OPEN_ARRAY) {
          this.startElements(key, members, seen);
          s.pos++;
          return this.send(s.pos, this.headEdits());
        }
        if (!readMember(s, key, members, seen)) s.skip();
        s.ws();
        s.expect(COMMA, 'a comma');
      }
    } catch (error) {
      if (error instanceof Incomplete) return undefined;
      throw error;
    }
  }

  private startElements(key: 'items' | 'rows', members: Members, seen: Set<string>): void {
    if (seen.has(key)) throw new NotScannable(`repeated ${key}`);
    this.head = members;
    for (const k of seen) this.seen.add(k);
    this.seen.add(key);
    const kind = members.kind;
    if (kind === undefined) {
      if (key === 'rows') throw new NotScannable('rows before the kind');
      this.expectListKind = true;
      this.elements = 'items';
    } else if (kind?.value === 'Status') {
      throw new NotScannable('a Status');
    } else if (kind?.value === 'Table') {
      this.elements = key === 'rows' ? 'rows' : 'untouched';
    } else {
      this.elements = key === 'items' ? 'items' : 'untouched';
    }
    this.phase = 'elements';
  }

  /** The head's edits: metadata; for anything but a Table, apiVersion and kind too. */
  private headEdits(): Edit[] {
    const { metadata, ...typeMeta } = this.head;
    const edits = [...(metadata ?? [])];
    if (this.head.kind?.value !== 'Table') edits.push(...objectToPublic(typeMeta));
    return edits;
  }

  /** As many whole elements as have arrived, with their edits, and the array's end. */
  private readElements(): Buffer {
    const s = new JsonBytes(this.buf);
    const edits: Edit[] = [];
    let done = 0;
    try {
      for (;;) {
        s.ws();
        if (this.elementsSent > 0 || s.next === CLOSE_ARRAY) {
          if (s.next === CLOSE_ARRAY) {
            s.pos++;
            done = s.pos;
            this.phase = 'tail';
            break;
          }
          if (s.next !== COMMA) s.fail('a comma or ] was expected');
          s.pos++;
          s.ws();
        }
        const element: Edit[] = [];
        const scanned =
          this.elements === 'items'
            ? itemToPublic(s, element)
            : this.elements === 'rows' && rowToPublic(s, element);
        if (!scanned) s.skip();
        // The element is whole only once what follows it has arrived (a number may go on).
        s.ws();
        if (s.next !== COMMA && s.next !== CLOSE_ARRAY) s.fail('a comma or ] was expected');
        edits.push(...element);
        done = s.pos;
        this.elementsSent++;
      }
    } catch (error) {
      if (!(error instanceof Incomplete)) throw error;
    }
    return this.send(done, edits);
  }

  /** The list's members after its array, and the check of what was expected of the list. */
  private readTail(): Buffer {
    const s = new JsonBytes(this.buf);
    const tail = noMembers();
    s.ws();
    while (s.next === COMMA) {
      s.pos++;
      s.ws();
      const key = s.text(s.string());
      s.ws();
      s.expect(COLON, 'a colon');
      s.ws();
      if (!readMember(s, key, tail, this.seen)) s.skip();
      s.ws();
    }
    s.expect(CLOSE_OBJECT, '}');
    if (!s.atEnd()) throw new NotScannable('text after the answer');
    const kind = this.head.kind ?? tail.kind;
    if (this.expectListKind && (kind === undefined || kind?.value === 'Table' || kind?.value === 'Status'))
      throw new NotScannable('not a list after all');
    return this.send(this.buf.length, this.tailEdits(tail));
  }

  /** The tail's edits, as toPublic() decides them for the whole list. */
  private tailEdits(tail: Members): Edit[] {
    const kind = this.head.kind ?? tail.kind;
    const edits = [...(tail.metadata ?? [])];
    if (kind?.value === 'Table') return [...edits, ...(tail.rows ?? [])];
    edits.push(...(tail.items ?? []));
    const apiVersion = this.head.apiVersion ?? tail.apiVersion;
    if (apiVersion?.value !== names.BACKING_API_VERSION) return edits;
    if (tail.apiVersion) edits.push(replace(tail.apiVersion.token, names.API_VERSION));
    const mapped = kind?.value !== undefined && Object.hasOwn(KIND_TO_PUBLIC, kind.value);
    if (mapped && tail.kind) edits.push(replace(tail.kind.token, KIND_TO_PUBLIC[kind.value]!));
    // A kind sent before its apiVersion was known went out untranslated.
    else if (mapped && tail.apiVersion) throw new NotScannable('the kind went out too early');
    return edits;
  }

  /** The first `upto` bytes, edited; the rest is kept for later. */
  private send(upto: number, edits: Edit[]): Buffer {
    const out = applyEdits(this.buf.subarray(0, upto), edits);
    this.buf = this.buf.subarray(upto);
    return out;
  }
}
