// An esbuild plugin that makes chosen packages load on first use (docs/decisions/0105): every
// `require(name)` of them gets a stand-in, a Proxy over a function, that requires the real package
// — resolved from the requiring directory, so the same version — on the first call, `new` or
// property read.

/**
 * @param {string[]} names package names
 * @returns {import('esbuild').Plugin}
 */
export function lazyPackages(names) {
  return {
    name: 'lazy-packages',
    setup(b) {
      const filter = new RegExp(`^(${names.join('|')})$`);
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
}
