/**
 * The table of requests every runtime must answer the same way (docs/runtime-contract.md), against
 * the fixture functions in fixtures/<lang>/ (see fixtures/README.md).
 */
import type { RequestOptions } from './runtime-process.ts';

export const FUNCTION_NAME = 'contract-fn';
export const NAMESPACE = 'contract-ns';
export const TIMEOUT_SECONDS = 1;
export const MAX_BODY_BYTES = 4096;

export const TEXT = 'text/plain; charset=utf-8';
export const JSON_CT = 'application/json';
export const BYTES = 'application/octet-stream';

export interface Expected {
  status: number;
  /** exact content-type; null = no content-type header */
  contentType?: string | null;
  /** response headers that must be present with these values */
  headers?: Record<string, string>;
  /** parsed JSON body */
  json?: unknown;
  /** exact text body */
  text?: string;
  /** exact bytes, as hex */
  hex?: string;
  /** error body: {"error":{"type": errorType, "message": matching errorMessage}} */
  errorType?: string;
  errorMessage?: RegExp;
}

export interface Case {
  name: string;
  path: string;
  req?: RequestOptions;
  want: Expected;
}

const echo = (
  method: string,
  path: string,
  fields: {
    query?: Record<string, string>;
    headers?: Record<string, string>;
    bodyType: string;
    body: unknown;
  },
) => ({
  method,
  path,
  query: fields.query ?? {},
  headers: fields.headers ?? {},
  bodyType: fields.bodyType,
  body: fields.body,
});

const post = (
  contentType: string | undefined,
  body: string | Buffer,
  extra: Record<string, string> = {},
) => ({
  method: 'POST',
  headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...extra },
  body,
});

export const CASES: Case[] = [
  // --- the event
  {
    name: 'JSON body is parsed',
    path: '/echo',
    req: post('application/json', '{"a":1,"b":[true,null,"x"],"c":{"d":"é"}}', { 'x-test-one': '1' }),
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('POST', '/echo', {
        headers: { 'content-type': 'application/json', 'x-test-one': '1' },
        bodyType: 'json',
        body: { a: 1, b: [true, null, 'x'], c: { d: 'é' } },
      }),
    },
  },
  {
    name: '+json content type with charset is parsed as JSON',
    path: '/echo',
    req: post('Application/Vnd.Api+JSON; charset=utf-8', '[1,2,3]'),
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('POST', '/echo', {
        headers: { 'content-type': 'Application/Vnd.Api+JSON; charset=utf-8' },
        bodyType: 'json',
        body: [1, 2, 3],
      }),
    },
  },
  {
    name: 'text/* body is a string',
    path: '/echo',
    req: post('text/plain; charset=utf-8', 'hello ✓'),
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('POST', '/echo', {
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        bodyType: 'string',
        body: 'hello ✓',
      }),
    },
  },
  {
    name: 'form body is a string',
    path: '/echo',
    req: post('application/x-www-form-urlencoded', 'a=1&b=two+words'),
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('POST', '/echo', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        bodyType: 'string',
        body: 'a=1&b=two+words',
      }),
    },
  },
  {
    name: 'no content type: body is a string',
    path: '/echo',
    req: post(undefined, 'plain words'),
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('POST', '/echo', { bodyType: 'string', body: 'plain words' }),
    },
  },
  {
    name: 'octet-stream body is bytes',
    path: '/echo',
    req: post('application/octet-stream', Buffer.from([0, 1, 2, 0xfe, 0xff])),
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('POST', '/echo', {
        headers: { 'content-type': 'application/octet-stream' },
        bodyType: 'bytes',
        body: Buffer.from([0, 1, 2, 0xfe, 0xff]).toString('base64'),
      }),
    },
  },
  {
    name: 'other content types are bytes',
    path: '/echo',
    req: post('image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47])),
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('POST', '/echo', {
        headers: { 'content-type': 'image/png' },
        bodyType: 'bytes',
        body: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'),
      }),
    },
  },
  {
    name: 'empty body is null, even with a JSON content type',
    path: '/echo',
    req: post('application/json', ''),
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('POST', '/echo', {
        headers: { 'content-type': 'application/json' },
        bodyType: 'null',
        body: null,
      }),
    },
  },
  {
    name: 'GET: query keeps the first value, form-decoded; path is decoded',
    path: '/echo/a%20b?x=1&x=2&y=hello+world&z=%C3%A9&flag',
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('GET', '/echo/a b', {
        query: { x: '1', y: 'hello world', z: 'é', flag: '' },
        bodyType: 'null',
        body: null,
      }),
    },
  },
  {
    name: 'headers: lower-cased names, repeated values joined',
    path: '/echo',
    req: { method: 'PUT', headers: { 'X-Test-Upper': 'Value', 'x-test-multi': ['a', 'b'] } },
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('PUT', '/echo', {
        headers: { 'x-test-upper': 'Value', 'x-test-multi': 'a, b' },
        bodyType: 'null',
        body: null,
      }),
    },
  },
  {
    name: 'DELETE reaches the handler',
    path: '/echo/item',
    req: { method: 'DELETE' },
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('DELETE', '/echo/item', { bodyType: 'null', body: null }),
    },
  },
  {
    name: 'PATCH reaches the handler',
    path: '/echo',
    req: { ...post('application/json', '{"op":"x"}'), method: 'PATCH' },
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('PATCH', '/echo', {
        headers: { 'content-type': 'application/json' },
        bodyType: 'json',
        body: { op: 'x' },
      }),
    },
  },
  {
    name: 'POST /health is an invocation, not the probe',
    path: '/health',
    req: { method: 'POST' },
    want: { status: 404, contentType: JSON_CT, json: { fixture: 'unknown', path: '/health' } },
  },
  // --- return values
  {
    name: 'string → text/plain',
    path: '/string',
    want: { status: 200, contentType: TEXT, text: 'hello, world' },
  },
  { name: 'string is UTF-8', path: '/unicode', want: { status: 200, contentType: TEXT, text: 'héllo ✓' } },
  {
    name: 'bytes → octet-stream',
    path: '/bytes',
    want: { status: 200, contentType: BYTES, hex: '0001feff' },
  },
  { name: 'nothing → 204', path: '/null', want: { status: 204, contentType: null, text: '' } },
  {
    name: 'object → JSON',
    path: '/json',
    want: {
      status: 200,
      contentType: JSON_CT,
      json: { message: 'hi', n: 1, list: [1, 2, 3], nested: { ok: true } },
    },
  },
  {
    name: 'array → JSON',
    path: '/array',
    want: { status: 200, contentType: JSON_CT, json: [1, 'two', null] },
  },
  { name: 'number → JSON', path: '/number', want: { status: 200, contentType: JSON_CT, json: 42 } },
  {
    name: 'statusCode, headers and a JSON body',
    path: '/status',
    want: { status: 201, contentType: JSON_CT, headers: { 'x-fixture': 'created' }, json: { id: 7 } },
  },
  {
    name: 'statusCode with its own content-type',
    path: '/status-text',
    want: { status: 202, contentType: 'text/csv', text: 'a,b\n1,2\n' },
  },
  {
    name: 'statusCode without a body',
    path: '/status-empty',
    want: { status: 404, contentType: null, headers: { 'x-fixture': 'none' }, text: '' },
  },
  {
    name: 'statusCode with a bytes body',
    path: '/status-bytes',
    want: { status: 200, contentType: BYTES, hex: '010203' },
  },
  // --- errors
  {
    name: 'a thrown error → 500 with its class name',
    path: '/throw',
    req: { method: 'POST' },
    want: { status: 500, contentType: JSON_CT, json: { error: { type: 'FixtureError', message: 'boom' } } },
  },
  {
    name: 'an unserializable return value → 500 SerializationError',
    path: '/unserializable',
    want: { status: 500, contentType: JSON_CT, errorType: 'SerializationError', errorMessage: /\S/ },
  },
  {
    name: 'malformed JSON → 400 BadRequest',
    path: '/echo',
    req: post('application/json', '{"a":'),
    want: { status: 400, contentType: JSON_CT, errorType: 'BadRequest', errorMessage: /json/i },
  },
  {
    name: 'body over the limit → 413 PayloadTooLarge',
    path: '/echo',
    req: post('text/plain', 'x'.repeat(MAX_BODY_BYTES + 1)),
    want: { status: 413, contentType: JSON_CT, errorType: 'PayloadTooLarge', errorMessage: /4096/ },
  },
  {
    name: 'chunked body over the limit → 413 PayloadTooLarge',
    path: '/echo',
    req: { ...post('text/plain', 'y'.repeat(MAX_BODY_BYTES + 100)), chunked: true },
    want: { status: 413, contentType: JSON_CT, errorType: 'PayloadTooLarge', errorMessage: /4096/ },
  },
  {
    name: 'body exactly at the limit is accepted',
    path: '/echo',
    req: post('text/plain', 'z'.repeat(MAX_BODY_BYTES)),
    want: {
      status: 200,
      contentType: JSON_CT,
      json: echo('POST', '/echo', {
        headers: { 'content-type': 'text/plain' },
        bodyType: 'string',
        body: 'z'.repeat(MAX_BODY_BYTES),
      }),
    },
  },
  {
    name: 'a handler slower than the timeout → 504 Timeout',
    path: '/sleep?ms=1500',
    want: { status: 504, contentType: JSON_CT, errorType: 'Timeout', errorMessage: /1(\.0+)?\s?s/ },
  },
  {
    name: 'a handler within the timeout',
    path: '/sleep?ms=50',
    want: { status: 200, contentType: JSON_CT, json: { slept: 50 } },
  },
];
