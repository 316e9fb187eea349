// @ts-check
/**
 * Reading the request body and building the event (docs/runtime-contract.md §3).
 */
import { badRequest, payloadTooLarge } from './errors.js';

/**
 * @typedef {object} FunctionEvent
 * @property {unknown} body parsed JSON, a string, a Buffer, or null
 * @property {Record<string, string>} headers
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} query
 */

const EMPTY = Buffer.alloc(0);

/**
 * The body when the request has fully arrived already (the usual case for small bodies): taken
 * from the stream's buffer synchronously. Undefined when more is still to come.
 * @param {import('node:http').IncomingMessage} req
 * @returns {Buffer | undefined}
 */
export function takeCompleteBody(req) {
  if (!req.complete || req.readableFlowing) return undefined;
  const chunk = req.read();
  return chunk === null ? EMPTY : chunk;
}

/**
 * Reads the whole body, refusing more than `limit` bytes.
 * @param {import('node:http').IncomingMessage} req
 * @param {number} limit
 * @returns {Promise<Buffer>}
 */
export function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    let settled = false;
    /** @param {Buffer} chunk */
    const onData = (chunk) => {
      size += chunk.length;
      if (size > limit) {
        finish(payloadTooLarge(limit));
        req.resume(); // discard the rest
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () =>
      finish(
        null,
        chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size),
      );
    const onError = (/** @type {Error} */ err) => finish(err);
    const onClose = () => finish(new Error('the client closed the connection before the body was read'));
    /**
     * @param {Error | null} err
     * @param {Buffer} [body]
     */
    const finish = (err, body) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve(/** @type {Buffer} */ (body));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * The media type, lower-cased, without parameters; '' when absent.
 * @param {string | undefined} contentType
 */
export function mediaType(contentType) {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** @param {string} type a media type from mediaType() */
export function isJsonType(type) {
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * Decodes the body by content type.
 * @param {Buffer} raw
 * @param {string | undefined} contentType
 * @returns {unknown}
 */
export function decodeBody(raw, contentType) {
  if (raw.length === 0) return null;
  const type = mediaType(contentType);
  if (isJsonType(type)) {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw badRequest(`request body is not valid JSON: ${/** @type {Error} */ (err).message}`);
    }
  }
  if (type === '' || type.startsWith('text/') || type === 'application/x-www-form-urlencoded') {
    return raw.toString('utf8');
  }
  return raw;
}

/**
 * Lower-cased header names; repeated headers joined with ", " in arrival order.
 * @param {string[]} rawHeaders
 * @returns {Record<string, string>}
 */
export function collectHeaders(rawHeaders) {
  /** @type {Record<string, string>} */
  const headers = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = /** @type {string} */ (rawHeaders[i]).toLowerCase();
    const value = /** @type {string} */ (rawHeaders[i + 1]);
    if (name === '__proto__') {
      // an own property, never the prototype
      const prev = Object.getOwnPropertyDescriptor(headers, name)?.value;
      Object.defineProperty(headers, name, {
        value: prev === undefined ? value : `${prev}, ${value}`,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      continue;
    }
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

/**
 * Splits a request target into its percent-decoded path and its query (first value per name).
 * @param {string} url
 * @returns {{ path: string, query: Record<string, string> }}
 */
export function splitUrl(url) {
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  /** @type {Record<string, string>} */
  const query = Object.create(null);
  if (q !== -1 && q < url.length - 1) {
    for (const [name, value] of new URLSearchParams(url.slice(q + 1))) {
      if (!Object.hasOwn(query, name)) query[name] = value;
    }
  }
  let path = rawPath;
  if (rawPath.includes('%')) {
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      // malformed escapes: keep the path as sent
    }
  }
  return { path, query: { ...query } };
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {Record<string, string>} headers from collectHeaders(req.rawHeaders)
 * @param {Buffer} raw the body
 * @returns {FunctionEvent}
 */
export function buildEvent(req, headers, raw) {
  const { path, query } = splitUrl(req.url ?? '/');
  return {
    body: decodeBody(raw, headers['content-type']),
    headers,
    method: req.method ?? 'GET',
    path,
    query,
  };
}
