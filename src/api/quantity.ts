/**
 * resource.Quantity values ("250m", "128Mi", "1e3", 2) as numbers of base units (cores, bytes),
 * precise enough to compare a request with a limit.
 */
import { QUANTITY_PATTERN } from './schema/builders.ts';

const QUANTITY = new RegExp(QUANTITY_PATTERN);
const SUFFIXES: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a quantity, or undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !QUANTITY.test(value)) return undefined;
  const match = /^([+-]?[0-9.]+)([eE][+-]?[0-9.]+|[a-zA-Z]*)$/.exec(value);
  if (!match) return undefined;
  const [, number, suffix = ''] = match;
  if (/^[eE]/.test(suffix)) return Number(number + suffix);
  const factor = SUFFIXES[suffix];
  return factor === undefined ? undefined : Number(number) * factor;
}
