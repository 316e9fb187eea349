// fast-json-patch through its CommonJS build: the package root ships an index.ts beside
// index.js, and tsx (tests, `npm start`) resolves the root to that source file, whose imports
// do not exist in the published package. The built files are the same code.
export { applyPatch, type Operation } from 'fast-json-patch/commonjs/core.js';
export { compare } from 'fast-json-patch/commonjs/duplex.js';
