// fast-json-patch (RFC 6902), imported by file: its package root also ships an index.ts whose own
// imports are not published, and tsx prefers that over index.js, so `from 'fast-json-patch'`
// fails under tsx. The CommonJS build loads the same in node and tsx (default import only).
import core from 'fast-json-patch/commonjs/core.js';
import duplex from 'fast-json-patch/commonjs/duplex.js';

export type { Operation } from 'fast-json-patch/commonjs/core.js';
export const { applyPatch, validate } = core;
export const { compare } = duplex;
