/**
 * The runtime catalog: every value `spec.runtime` may take, with what the platform needs to run it
 * (language, default handler, image) and how a handler names its file (docs/runtime-contract.md).
 * The webhooks default and validate from it; the controller picks images and file names from it.
 */
import goLocal from '../../runtimes/go/local.json' with { type: 'json' };
import nodeLocal from '../../runtimes/node/local.json' with { type: 'json' };
import pythonLocal from '../../runtimes/python/local.json' with { type: 'json' };

export type Language = 'nodejs' | 'python' | 'go';

export interface Runtime {
  /** The value of spec.runtime. */
  id: string;
  language: Language;
  /** The language version the image ships, for versioned ids (`nodejs22` → `22`). */
  version?: string;
  /** `<module>.<export>` used when spec.handler is empty. */
  defaultHandler: string;
  /** Extension of the source file an inline source is saved as. */
  extension: string;
  image: string;
}

const LANGUAGES: Record<Language, Omit<Runtime, 'id' | 'version'>> = {
  nodejs: { language: 'nodejs', defaultHandler: 'handler.handle', extension: '.js', image: nodeLocal.image },
  python: {
    language: 'python',
    defaultHandler: 'handler.handle',
    extension: '.py',
    image: pythonLocal.image,
  },
  go: { language: 'go', defaultHandler: 'handler.Handle', extension: '.go', image: goLocal.image },
};

/**
 * Versioned ids name exactly the version each runtime image ships (runtimes/<language>/Dockerfile:
 * node 22, python 3.11, go 1.26); a version no image provides is not offered.
 */
const VERSIONED: readonly [string, Language, string][] = [
  ['nodejs22', 'nodejs', '22'],
  ['python3.11', 'python', '3.11'],
  ['go1.26', 'go', '1.26'],
];

export const RUNTIMES: ReadonlyMap<string, Runtime> = new Map([
  ...(Object.keys(LANGUAGES) as Language[]).map((id): [string, Runtime] => [id, { id, ...LANGUAGES[id] }]),
  ...VERSIONED.map(([id, language, version]): [string, Runtime] => [
    id,
    { id, version, ...LANGUAGES[language] },
  ]),
]);

export const RUNTIME_IDS: readonly string[] = [...RUNTIMES.keys()];

export function findRuntime(id: unknown): Runtime | undefined {
  return typeof id === 'string' ? RUNTIMES.get(id) : undefined;
}

/** `handler.handle` → module `handler`, export `handle` (split at the last dot, as every runtime does). */
export function splitHandler(handler: string): { module: string; exportName: string } | undefined {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) return undefined;
  return { module: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

const NODE_EXTENSIONS = ['.js', '.mjs', '.cjs'];

/**
 * Files a runtime loads the handler's module from, first choice first: Node `<module>.js|.mjs|.cjs`
 * (or the module itself when it has one of those extensions), Python `<a/b>.py` or the package
 * `<a/b>/__init__.py` (`a.b` and `a/b` alike), Go `<module>.go`.
 */
export function handlerFiles(language: Language, module: string): string[] {
  switch (language) {
    case 'nodejs': {
      const withExtensions = NODE_EXTENSIONS.map((ext) => module + ext);
      return NODE_EXTENSIONS.some((ext) => module.endsWith(ext))
        ? [module, ...withExtensions]
        : withExtensions;
    }
    case 'python': {
      const path = module.split(/[./]/).filter(Boolean).join('/');
      return [`${path}.py`, `${path}/__init__.py`];
    }
    case 'go':
      return [`${module}.go`];
  }
}

/** The file name an inline source is saved under: the one the handler names. */
export function inlineFileName(runtime: Runtime, handler = runtime.defaultHandler): string {
  const module = splitHandler(handler)?.module ?? 'handler';
  return handlerFiles(runtime.language, module)[0]!;
}
