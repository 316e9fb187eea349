/**
 * The backing server's JSON answers made public without parsing them: the same rules as
 * toPublic() in translate.ts, applied by walking only the members that can carry the private
 * group (apiVersion and kind of the answer, of each list item, of each Table row's object or a
 * watch event's object; metadata's managedFields, selfLink and last-applied annotation) and
 * replacing those strings in place. spec, status, ownerReferences and everything else are
 * skipped unread, so a list of 1,000 functions costs a scan, not a parse and a re-serialization.
 *
 * Whatever the walk does not handle — a Status (its messages are rewritten as text), a key it
 * cares about written twice, text that is not JSON — goes through the parsing path instead, so
 * the answer always means exactly what toPublic(JSON.parse(body)) means (ADR 0461).
 */
import * as names from '../src/api/constants.ts';
import { applyEdits, type Edit, JsonBytes, NotScannable, type StringToken } from './json-bytes.ts';
import { LAST_APPLIED, lastAppliedToPublic } from './last-applied.ts';
import { KIND_TO_PUBLIC, selfLinkToPublic, toPublic } from './translate.ts';

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const QUOTE = 0x22;

/** A JSON answer of the backing server, translated; a body that is not JSON is returned as it is. */
export function answerToPublic(body: Buffer): Buffer {
  const fast = toPublicBytes(body);
  if (fast) return fast;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  return Buffer.from(JSON.stringify(toPublic(parsed)));
}

/** The translated answer, or undefined where only the parsing path knows the answer. */
export function toPublicBytes(body: Buffer): Buffer | undefined {
  const s = new JsonBytes(body);
  try {
    s.ws();
    const edits = valueToPublic(s);
    if (!s.atEnd()) return undefined;
    return applyEdits(body, edits);
  } catch (error) {
    if (error instanceof NotScannable || error instanceof RangeError || error instanceof SyntaxError)
      return undefined;
    throw error;
  }
}

/** A string member's token and value; `null` when the member is there but not a string. */
type StringMember = { token: StringToken; value: string } | null;

/** What one object holds of what the rules look at, and the edits each part would need. */
interface Members {
  apiVersion?: StringMember;
  kind?: StringMember;
  metadata?: Edit[];
  /** Edits for items as list items, when items is an array. */
  items?: Edit[];
  /** Edits for rows as Table rows, when rows is an array. */
  rows?: Edit[];
  /** Edits for `object` as a watch event's object. */
  object?: Edit[];
  hasType: boolean;
  hasObject: boolean;
}

function stringMember(s: JsonBytes): StringMember {
  if (s.next !== QUOTE) {
    s.skip();
    return null;
  }
  const token = s.string();
  return { token, value: s.text(token) };
}

/** Reads an object's members once, keeping the edits every role it may turn out to have needs. */
function readMembers(s: JsonBytes): Members {
  const m: Members = { hasType: false, hasObject: false };
  const seen = new Set<string>();
  s.members((key) => {
    switch (key) {
      case 'apiVersion':
      case 'kind':
      case 'metadata':
      case 'items':
      case 'rows':
      case 'object':
      case 'type':
        // JSON.parse keeps the last of repeated keys; not worth mirroring here.
        if (seen.has(key)) throw new NotScannable(`repeated ${key}`);
        seen.add(key);
        break;
      default:
        return false;
    }
    switch (key) {
      case 'apiVersion':
        m.apiVersion = stringMember(s);
        return true;
      case 'kind':
        m.kind = stringMember(s);
        return true;
      case 'metadata':
        m.metadata = metadataToPublic(s);
        return true;
      case 'items':
        if (s.next !== OPEN_ARRAY) return false;
        m.items = [];
        s.elements(() => {
          if (s.next !== OPEN_OBJECT) return false;
          m.items!.push(...objectToPublic(readMembers(s)));
          return true;
        });
        return true;
      case 'rows':
        if (s.next !== OPEN_ARRAY) return false;
        m.rows = [];
        s.elements(() => {
          if (s.next !== OPEN_OBJECT) return false;
          m.rows!.push(...rowToPublic(s));
          return true;
        });
        return true;
      case 'object':
        m.hasObject = true;
        m.object = valueToPublic(s);
        return true;
      default:
        m.hasType = true;
        return false;
    }
  });
  return m;
}

/** toPublic() of the value at the cursor. */
function valueToPublic(s: JsonBytes): Edit[] {
  if (s.next !== OPEN_OBJECT) {
    s.skip();
    return [];
  }
  const m = readMembers(s);
  if (m.kind === undefined) return m.hasType && m.hasObject ? (m.object ?? []) : [];
  const kind = m.kind?.value;
  if (kind === 'Status') throw new NotScannable('a Status');
  if (kind === 'Table') return [...(m.metadata ?? []), ...(m.rows ?? [])];
  return [...objectToPublic(m), ...(m.items ?? [])];
}

/** objectToPublic(): apiVersion and kind of the backing group-version, and metadata. */
function objectToPublic(m: Members): Edit[] {
  const edits = [...(m.metadata ?? [])];
  if (m.apiVersion?.value !== names.BACKING_API_VERSION) return edits;
  edits.push(replace(m.apiVersion.token, names.API_VERSION));
  const kind = m.kind?.value;
  if (m.kind && kind !== undefined && Object.hasOwn(KIND_TO_PUBLIC, kind))
    edits.push(replace(m.kind.token, KIND_TO_PUBLIC[kind]!));
  return edits;
}

/** A Table row: its object, whatever kind it is. */
function rowToPublic(s: JsonBytes): Edit[] {
  let edits: Edit[] = [];
  let seen = false;
  s.members((key) => {
    if (key !== 'object') return false;
    if (seen) throw new NotScannable('repeated object');
    seen = true;
    edits = valueToPublic(s);
    return true;
  });
  return edits;
}

/** metadataToPublic(): managedFields[].apiVersion, selfLink, the last-applied annotation. */
function metadataToPublic(s: JsonBytes): Edit[] {
  if (s.next !== OPEN_OBJECT) return skipped(s);
  const edits: Edit[] = [];
  const seen = new Set<string>();
  s.members((key) => {
    if (key !== 'managedFields' && key !== 'selfLink' && key !== 'annotations') return false;
    if (seen.has(key)) throw new NotScannable(`repeated ${key}`);
    seen.add(key);
    if (key === 'managedFields') {
      if (s.next !== OPEN_ARRAY) return false;
      s.elements(() => {
        if (s.next !== OPEN_OBJECT) return false;
        edits.push(
          ...stringField(s, 'apiVersion', (v) => (v === names.BACKING_API_VERSION ? names.API_VERSION : v)),
        );
        return true;
      });
      return true;
    }
    if (key === 'selfLink') {
      const link = stringMember(s);
      if (link?.value) edits.push(...changed(link, selfLinkToPublic(link.value)));
      return true;
    }
    if (s.next !== OPEN_OBJECT) return false;
    edits.push(...stringField(s, LAST_APPLIED, lastAppliedToPublic));
    return true;
  });
  return edits;
}

/** The edit that applies `convert` to the string member `field` of the object at the cursor. */
function stringField(s: JsonBytes, field: string, convert: (value: string) => string): Edit[] {
  let edits: Edit[] = [];
  let seen = false;
  s.members((key) => {
    if (key !== field) return false;
    if (seen) throw new NotScannable(`repeated ${key}`);
    seen = true;
    const member = stringMember(s);
    if (member) edits = changed(member, convert(member.value));
    return true;
  });
  return edits;
}

const changed = (member: { token: StringToken; value: string }, to: string): Edit[] =>
  to === member.value ? [] : [replace(member.token, to)];

const replace = (token: StringToken, to: string): Edit => ({
  start: token.start,
  end: token.end,
  text: JSON.stringify(to),
});

function skipped(s: JsonBytes): Edit[] {
  s.skip();
  return [];
}
