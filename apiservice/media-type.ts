// Content-Type of a request body, read as kube-apiserver reads it: Go's mime.ParseMediaType for
// create and update bodies (lower-cased type/subtype; malformed parameters make the whole header
// unusable), and the patch handler's plain cut at the first ';' (case-sensitive) for patches.

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}(/${TOKEN})?$`);
const PARAMETER = new RegExp(`^\\s*(${TOKEN})\\s*=\\s*(${TOKEN}|"(?:[^"\\\\]|\\\\.)*")\\s*$`);

/** mime.ParseMediaType's media type, or undefined where Go reports an error. */
export function parseMediaType(header: string): string | undefined {
  const [base = '', ...params] = header.split(';');
  const type = base.trim().toLowerCase();
  if (!MEDIA_TYPE.test(type)) return undefined;
  const seen = new Map<string, string>();
  for (const [i, param] of params.entries()) {
    if (param.trim() === '' && i === params.length - 1) break; // a trailing ';' is allowed
    const m = PARAMETER.exec(param);
    if (!m) return undefined;
    const key = m[1]!.toLowerCase();
    if (seen.has(key) && seen.get(key) !== m[2]) return undefined;
    seen.set(key, m[2]!);
  }
  return type;
}

/** The patch handler's media type: everything before the first ';' (when not at position 0). */
export function patchMediaType(header: string): string {
  const idx = header.indexOf(';');
  return idx > 0 ? header.slice(0, idx) : header;
}
