/**
 * The rules of a Function spec that its JSON schema cannot state: a known runtime, a handler the
 * runtime can load from the given files, a source a ConfigMap can hold, Kubernetes' rules for env
 * and resources, min ≤ max replicas, cron schedules and time zones as a CronJob takes them, and
 * canonical HTTP paths. Values of the wrong type are skipped: the schema reports those.
 */
import {
  childPath,
  type FieldError,
  invalid,
  notSupported,
  required,
  tooLong,
} from '../src/api/field-errors.ts';
import { parseQuantity } from '../src/api/quantity.ts';
import {
  findRuntime,
  handlerFiles,
  inlineFileName,
  RUNTIME_IDS,
  type Runtime,
  splitHandler,
} from '../src/api/runtimes.ts';
import { cronScheduleProblems } from './cron.ts';
import { httpPathProblem } from './http-path.ts';
import { timeZoneProblem } from './time-zone.ts';

/** What a ConfigMap holds at most: its keys and values together (core.MaxSecretSize). */
export const MAX_SOURCE_BYTES = 1024 * 1024;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const objects = (value: unknown): [number, Json][] =>
  Array.isArray(value)
    ? value.flatMap((item, i): [number, Json][] => (isObject(item) ? [[i, item]] : []))
    : [];

export function specErrors(spec: unknown, path = 'spec'): FieldError[] {
  if (!isObject(spec)) return [];
  const runtime = findRuntime(spec.runtime);
  const errors: FieldError[] = [];
  if (typeof spec.runtime === 'string' && !runtime)
    errors.push(notSupported(childPath(path, 'runtime'), spec.runtime, RUNTIME_IDS));
  if (runtime) errors.push(...handlerErrors(spec, runtime, path));
  if (isObject(spec.source))
    errors.push(...sourceErrors(spec.source, runtime, spec.handler, childPath(path, 'source')));
  errors.push(...envErrors(spec.env, childPath(path, 'env')));
  if (isObject(spec.resources)) errors.push(...resourceErrors(spec.resources, childPath(path, 'resources')));
  if (isObject(spec.scale)) errors.push(...scaleErrors(spec.scale, childPath(path, 'scale')));
  if (isObject(spec.triggers)) errors.push(...triggerErrors(spec.triggers, childPath(path, 'triggers')));
  return errors;
}

const IDENTIFIER: Record<Runtime['language'], RegExp> = {
  nodejs: /^[A-Za-z_$][A-Za-z0-9_$]*$/,
  python: /^[A-Za-z_][A-Za-z0-9_]*$/,
  // Unexported names are loaded too (ADR 0302).
  go: /^[A-Za-z_][A-Za-z0-9_]*$/,
};

function handlerErrors(spec: Json, runtime: Runtime, path: string): FieldError[] {
  const field = childPath(path, 'handler');
  const handler = spec.handler ?? runtime.defaultHandler;
  if (typeof handler !== 'string') return [];
  const parts = splitHandler(handler);
  if (!parts) return [invalid(field, handler, 'must be <file>.<function>, such as handler.handle')];
  const errors: FieldError[] = [];
  if (!isRelativePath(parts.module))
    errors.push(invalid(field, handler, 'the file part must be a relative path inside the source'));
  if (!IDENTIFIER[runtime.language].test(parts.exportName))
    errors.push(
      invalid(field, handler, `${JSON.stringify(parts.exportName)} is not a ${runtime.language} identifier`),
    );
  const source = spec.source;
  if (errors.length === 0 && isObject(source) && isObject(source.files)) {
    const candidates = handlerFiles(runtime.language, parts.module);
    if (!candidates.some((file) => Object.hasOwn(source.files as Json, file)))
      errors.push(invalid(field, handler, `no file ${candidates.join(' or ')} in spec.source.files`));
  }
  return errors;
}

/** A file name inside the function's directory: segments a ConfigMap key may hold. */
const FILE_SEGMENT = /^[-._a-zA-Z0-9]+$/;
function isRelativePath(name: string): boolean {
  return name.split('/').every((s) => FILE_SEGMENT.test(s) && s !== '.' && s !== '..');
}

function sourceErrors(
  source: Json,
  runtime: Runtime | undefined,
  handler: unknown,
  path: string,
): FieldError[] {
  const errors: FieldError[] = [];
  let bytes = 0;
  if (typeof source.inline === 'string') {
    const name = runtime ? inlineFileName(runtime, typeof handler === 'string' ? handler : undefined) : '';
    bytes = Buffer.byteLength(name) + Buffer.byteLength(source.inline);
    if (bytes > MAX_SOURCE_BYTES) errors.push(tooLong(childPath(path, 'inline'), MAX_SOURCE_BYTES));
  }
  if (isObject(source.files)) {
    const filesPath = childPath(path, 'files');
    for (const [name, content] of Object.entries(source.files)) {
      if (name.length > 253 || !isRelativePath(name))
        errors.push(
          invalid(
            childPath(filesPath, name, true),
            name,
            "a file name must be a relative path of segments made of letters, digits, '-', '_' and '.' (not '.' or '..'), at most 253 characters",
          ),
        );
      if (typeof content === 'string') bytes += Buffer.byteLength(name) + Buffer.byteLength(content);
    }
    if (bytes > MAX_SOURCE_BYTES) errors.push(tooLong(filesPath, MAX_SOURCE_BYTES));
  }
  return errors;
}

/** Kubernetes' rule since 1.34 (RelaxedEnvironmentVariableValidation): printable ASCII but '='. */
const ENV_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;
const ENV_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'];

function envErrors(env: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [i, item] of objects(env)) {
    const itemPath = childPath(path, i);
    if (typeof item.name === 'string' && item.name !== '' && !ENV_NAME.test(item.name))
      errors.push(
        invalid(
          childPath(itemPath, 'name'),
          item.name,
          "a valid environment variable name must consist only of printable ASCII characters other than '='",
        ),
      );
    if (!isObject(item.valueFrom)) continue;
    const fromPath = childPath(itemPath, 'valueFrom');
    if (typeof item.value === 'string' && item.value !== '')
      errors.push(invalid(fromPath, '', 'may not be specified when `value` is not empty'));
    const sources = ENV_SOURCES.filter((k) => item.valueFrom && (item.valueFrom as Json)[k] != null);
    if (sources.length === 0)
      errors.push(
        invalid(
          fromPath,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    if (sources.length > 1)
      errors.push(invalid(fromPath, '', 'may not have more than one field specified at a time'));
    for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
      const selector = item.valueFrom[ref];
      if (isObject(selector) && (selector.name === undefined || selector.name === ''))
        errors.push(required(childPath(childPath(fromPath, ref), 'name')));
    }
  }
  return errors;
}

function resourceErrors(resources: Json, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const amounts: Record<'requests' | 'limits', Map<string, number>> = {
    requests: new Map(),
    limits: new Map(),
  };
  for (const kind of ['requests', 'limits'] as const) {
    const values = resources[kind];
    if (!isObject(values)) continue;
    for (const [name, value] of Object.entries(values)) {
      const amount = parseQuantity(value);
      if (amount === undefined) continue;
      amounts[kind].set(name, amount);
      if (amount < 0)
        errors.push(
          invalid(childPath(childPath(path, kind), name, true), value, 'must be greater than or equal to 0'),
        );
    }
  }
  const requests = resources.requests as Json;
  const limits = resources.limits as Json;
  for (const [name, request] of amounts.requests) {
    const limit = amounts.limits.get(name);
    if (limit !== undefined && request > limit)
      errors.push(
        invalid(
          childPath(childPath(path, 'requests'), name, true),
          requests[name],
          `must be less than or equal to ${name} limit of ${String(limits[name])}`,
        ),
      );
  }
  return errors;
}

function scaleErrors(scale: Json, path: string): FieldError[] {
  const { minReplicas: min, maxReplicas: max } = scale;
  if (typeof min === 'number' && typeof max === 'number' && min > max)
    return [invalid(childPath(path, 'maxReplicas'), max, 'must be greater than or equal to `minReplicas`')];
  return [];
}

function triggerErrors(triggers: Json, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [i, cron] of objects(triggers.cron)) {
    const cronPath = childPath(childPath(path, 'cron'), i);
    if (typeof cron.schedule === 'string' && cron.schedule !== '')
      for (const problem of cronScheduleProblems(cron.schedule))
        errors.push(invalid(childPath(cronPath, 'schedule'), cron.schedule, problem));
    if (typeof cron.timeZone === 'string') {
      const problem = timeZoneProblem(cron.timeZone);
      if (problem) errors.push(invalid(childPath(cronPath, 'timeZone'), cron.timeZone, problem));
    }
  }
  const http = triggers.http;
  if (isObject(http) && typeof http.path === 'string') {
    const problem = httpPathProblem(http.path);
    if (problem) errors.push(invalid(childPath(childPath(path, 'http'), 'path'), http.path, problem));
  }
  return errors;
}
