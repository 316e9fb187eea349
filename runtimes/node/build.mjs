// Bundles the runtime into one file, dist/server.mjs, for the image and for local runs
// (docs/decisions/0105-node-runtime-bundle.md): `node runtimes/node/build.mjs`.
//
// One module instead of ~150 saves Node's per-module resolution and loading at every cold start.
// Packages Express loads eagerly but the runtime never calls are made lazy: `send` (res.sendFile,
// express.static), `accepts` (req.accepts*), `type-is` (req.is, body parsers) and `mime-types`
// (res.type) — each copy of mime-types builds its lookup tables from mime-db at load time, ~30 %
// of the whole start. A `require` of them returns a stand-in that loads the real package on
// first use (a call or a property read), so behaviour is unchanged.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { lazyPackages } from './lazy-packages.mjs';

const LAZY = ['send', 'accepts', 'mime-types', 'type-is'];
const here = fileURLToPath(new URL('.', import.meta.url));

await build({
  entryPoints: [`${here}src/server.js`],
  outfile: `${here}dist/server.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (Express and its own) call require() for Node's built-in modules.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  plugins: [lazyPackages(LAZY)],
  legalComments: 'none',
  logLevel: 'warning',
});
