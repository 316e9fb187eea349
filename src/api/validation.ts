/**
 * Structural validation of a Function against its JSON schema with ajv: every error at once, each
 * with its field path and a message shaped like a CRD's (see field-errors.ts). Semantic checks
 * (min ≤ max, cron syntax, unique paths, ...) belong to the admission webhook, not here.
 */
import { Ajv, type AnySchemaObject, type ErrorObject } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types/index.js';
import {
  childPath,
  duplicate,
  type FieldError,
  forbidden,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
} from './field-errors.ts';
import { KUBERNETES_KEYWORDS, type Schema } from './schema/builders.ts';
import { functionSchema } from './schema/function.ts';

const INT32 = 2 ** 31;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
  });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n) => Number.isInteger(n) && n >= -INT32 && n < INT32,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('date-time', DATE_TIME);
  ajv.addVocabulary(KUBERNETES_KEYWORDS.filter((k) => k !== 'x-kubernetes-list-type'));
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    type: 'array',
    schemaType: 'string',
    errors: true,
    validate: listIsUnique,
  });
  return ajv;
}

/** Items of list-type set must differ; items of list-type map must differ in their key fields. */
function listIsUnique(
  listType: string,
  items: unknown[],
  parentSchema?: AnySchemaObject,
  cxt?: DataValidationCxt,
): boolean {
  if (listType !== 'set' && listType !== 'map') return true;
  const keys = (parentSchema as Schema | undefined)?.['x-kubernetes-list-map-keys'] ?? [];
  const identity = (item: unknown) =>
    listType === 'map' && item && typeof item === 'object'
      ? Object.fromEntries(keys.map((k) => [k, (item as Record<string, unknown>)[k]]))
      : item;
  const seen = new Set<string>();
  const errors: Partial<ErrorObject>[] = [];
  items.forEach((item, i) => {
    const id = identity(item);
    const text = JSON.stringify(id);
    if (seen.has(text))
      errors.push({ keyword: 'duplicate', instancePath: `${cxt?.instancePath}/${i}`, params: { value: id } });
    seen.add(text);
  });
  (listIsUnique as { errors?: Partial<ErrorObject>[] }).errors = errors;
  return errors.length === 0;
}

const validateFunction = createAjv().compile(functionSchema);

/** Validates a whole Function object against the schema; [] when it conforms. */
export function validateSchema(fn: unknown): FieldError[] {
  if (validateFunction(fn)) return [];
  const errors = validateFunction.errors ?? [];
  // Branch errors of anyOf/oneOf are summarized by the anyOf/oneOf error itself.
  const summarized = errors.filter((e) => !/\/(anyOf|oneOf)\/\d+\//.test(e.schemaPath));
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of summarized) {
    const fe = toFieldError(e);
    const key = JSON.stringify(fe);
    if (!seen.has(key)) out.push(fe);
    seen.add(key);
  }
  return out;
}

function toFieldError(e: ErrorObject): FieldError {
  const path = fieldPath(e.instancePath);
  const field = path || '<root>';
  const p = e.params as Record<string, unknown>;
  const where = `${field} in body`;
  switch (e.keyword) {
    case 'required':
      return required(childPath(path, String(p.missingProperty)));
    case 'type':
      return typeInvalid(
        field,
        jsonType(e.data),
        `${where} must be of type ${p.type}: "${jsonType(e.data)}"`,
      );
    case 'anyOf': {
      const types = branchTypes(e.schema as Schema[]);
      return typeInvalid(field, jsonType(e.data), `${where} must be of type ${types}: "${jsonType(e.data)}"`);
    }
    case 'oneOf': {
      const names = (e.schema as Schema[]).flatMap((b) => b.required ?? []).join(', ');
      return p.passingSchemas == null
        ? required(field, `exactly one of ${names} must be set`)
        : forbidden(field, `only one of ${names} may be set`);
    }
    case 'enum':
      return notSupported(field, e.data, p.allowedValues as (string | number)[]);
    case 'minimum':
      return invalid(field, e.data, `${where} should be greater than or equal to ${p.limit}`);
    case 'maximum':
      return invalid(field, e.data, `${where} should be less than or equal to ${p.limit}`);
    case 'minLength':
      return invalid(field, e.data, `${where} should be at least ${p.limit} chars long`);
    case 'maxLength':
      return tooLong(field, Number(p.limit));
    case 'pattern':
      return invalid(field, e.data, `${where} should match '${p.pattern}'`);
    case 'format':
      return invalid(field, e.data, `${where} must be of type ${p.format}: "${String(e.data)}"`);
    case 'maxItems':
      return tooMany(field, (e.data as unknown[]).length, Number(p.limit));
    case 'minItems':
      return invalid(field, e.data, `${where} should have at least ${p.limit} items`);
    case 'duplicate':
      return duplicate(field, p.value);
    default:
      return invalid(field, e.data, `${where} ${e.message ?? 'is invalid'}`);
  }
}

function branchTypes(branches: Schema[]): string {
  return branches.map((b) => b.type).join(',');
}

/** The JSON type of a value, as kube-openapi names it in type errors. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * Turns ajv's JSON pointer into a Kubernetes field path, walking the schema to tell properties and
 * map keys (`.name`, `.cpu`: the CRD validator prints both so) from list indices (`[0]`).
 */
export function fieldPath(instancePath: string, schema: Schema = functionSchema): string {
  let path = '';
  let node: Schema | undefined = schema;
  for (const raw of instancePath.slice(1).split('/')) {
    const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node?.properties?.[seg]) {
      path = childPath(path, seg);
      node = node.properties[seg];
    } else if (node?.type === 'array') {
      path = childPath(path, Number(seg));
      node = node.items;
    } else if (node?.additionalProperties) {
      path = childPath(path, seg);
      node = node.additionalProperties;
    } else {
      path = childPath(path, seg);
      node = undefined;
    }
  }
  return path;
}
