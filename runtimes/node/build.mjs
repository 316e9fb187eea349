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

const LAZY = ['send', 'accepts', 'mime-types', 'type-is'];
const here = fileURLToPath(new URL('.', import.meta.url));

/** @type {import('esbuild').Plugin} */
const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    const filter = new RegExp(`^(${LAZY.join('|')})$`);
    b.onResolve({ filter }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      if (args.namespace !== 'lazy') {
        // one stand-in per package and requiring directory, which decides the version
        return { path: `${args.path}:${args.resolveDir}`, namespace: 'lazy', pluginData: args.resolveDir };
      }
      // the stand-in's own require: the real package, resolved as esbuild would have
      const real = await b.resolve(args.path, {
        kind: 'require-call',
        resolveDir: args.resolveDir,
        pluginData: 'real',
      });
      return { path: real.path };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      resolveDir: args.pluginData,
      loader: 'js',
      contents: `
        let real;
        const load = () => (real ??= require(${JSON.stringify(args.path.split(':')[0])}));
        module.exports = new Proxy(function lazy() {}, {
          apply: (_target, self, params) => Reflect.apply(load(), self, params),
          construct: (_target, params) => Reflect.construct(load(), params),
          get: (_target, key) => load()[key],
          has: (_target, key) => key in load(),
        });`,
    }));
  },
};

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
  plugins: [lazyPackages],
  legalComments: 'none',
  logLevel: 'warning',
});
