// @ts-check
/**
 * Turning a handler's return value into a response (docs/runtime-contract.md §5).
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { serializationError } from './errors.js';

/**
 * @typedef {object} Reply
 * @property {number} status
 * @property {Record<string, string | string[]>} headers lower-cased names
 * @property {Buffer | string | null} body
 */

const TEXT = 'text/plain; charset=utf-8';
const BYTES = 'application/octet-stream';
export const JSON_TYPE = 'application/json';

/** @param {unknown} value */
function isBytes(value) {
  return value instanceof Uint8Array || value instanceof ArrayBuffer;
}

/** @param {Uint8Array | ArrayBuffer} value */
function toBuffer(value) {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * Encodes a body by the four rules: string, bytes, nothing, JSON.
 * @param {unknown} value
 * @returns {{ body: Buffer | string | null, contentType: string | null }}
 */
function encodeBody(value) {
  if (value === undefined || value === null) return { body: null, contentType: null };
  if (typeof value === 'string') return { body: value, contentType: TEXT };
  if (isBytes(value)) return { body: toBuffer(/** @type {Uint8Array} */ (value)), contentType: BYTES };
  /** @type {string | undefined} */
  let json;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw serializationError(
      `the function's return value cannot be serialized to JSON: ${/** @type {Error} */ (err).message}`,
    );
  }
  if (json === undefined) {
    throw serializationError(`the function returned a ${typeof value}, which cannot be serialized to JSON`);
  }
  return { body: json, contentType: JSON_TYPE };
}

/**
 * @param {unknown} value
 * @returns {value is { statusCode: number, headers?: unknown, body?: unknown }}
 */
function isStructured(value) {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !isBytes(value) &&
    typeof (/** @type {any} */ (value).statusCode) === 'number'
  );
}

/**
 * @param {unknown} raw the handler's `headers`
 * @returns {Record<string, string | string[]>}
 */
function normalizeHeaders(raw) {
  /** @type {Record<string, string | string[]>} */
  const out = {};
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw serializationError('the "headers" of the returned response must be an object');
  }
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || value === null) continue;
    const key = name.toLowerCase();
    if (key === 'content-length' || key === 'x-invocation-id') continue;
    const v = Array.isArray(value) ? value.map(String) : String(value);
    try {
      validateHeaderName(key);
      for (const one of Array.isArray(v) ? v : [v]) validateHeaderValue(key, one);
    } catch (err) {
      throw serializationError(`invalid response header "${name}": ${/** @type {Error} */ (err).message}`);
    }
    out[key] = v;
  }
  return out;
}

/**
 * @param {unknown} value what the handler returned
 * @returns {Reply}
 */
export function toReply(value) {
  if (isStructured(value)) {
    const status = value.statusCode;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw serializationError(`the returned statusCode ${status} is not a final HTTP status (200-599)`);
    }
    const headers = normalizeHeaders(value.headers);
    const { body, contentType } = encodeBody(value.body);
    if (contentType !== null && headers['content-type'] === undefined) headers['content-type'] = contentType;
    return { status, headers, body };
  }
  const { body, contentType } = encodeBody(value);
  if (body === null) return { status: 204, headers: {}, body: null };
  return { status: 200, headers: { 'content-type': /** @type {string} */ (contentType) }, body };
}
