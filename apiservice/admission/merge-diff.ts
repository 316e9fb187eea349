// The changes admission made, as a JSON merge patch (RFC 7386) from one object to another:
// nested objects recurse, anything else that differs is replaced whole, a removed key is null.

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The merge patch turning `from` into `to`; undefined when they are equal. */
export function mergeDiff(from: unknown, to: unknown): unknown {
  if (same(from, to)) return undefined;
  if (!isObject(from) || !isObject(to)) return to;
  const patch: Json = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    const change = key in from ? mergeDiff(from[key], value) : value;
    if (change !== undefined) patch[key] = change;
  }
  return patch;
}

/** True when the patch removes something (a null anywhere). */
export function removes(patch: unknown): boolean {
  if (patch === null) return true;
  return isObject(patch) && Object.values(patch).some(removes);
}

/** Applies a merge patch that removes nothing: objects merge, anything else is replaced. */
export function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) out[key] = mergeInto(out[key], value);
  return out;
}
