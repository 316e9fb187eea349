/**
 * A structural JSON schema (the subset a CustomResourceDefinition accepts) and small builders that
 * keep every node typed, so the schema stays CRD-legal: no $ref, a type on every node, and the
 * x-kubernetes-* extensions where Kubernetes list and quantity semantics apply.
 */

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
export type ListType = 'atomic' | 'set' | 'map';

export interface ValidationRule {
  rule: string;
  message?: string;
  fieldPath?: string;
  reason?: string;
}

export interface Schema {
  type?: SchemaType;
  description?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  required?: string[];
  enum?: (string | number)[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  default?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-list-type'?: ListType;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'granular' | 'atomic';
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-embedded-resource'?: true;
  'x-kubernetes-validations'?: ValidationRule[];
}

/** Keywords outside JSON Schema that the schema may carry (ajv is told about them). */
export const KUBERNETES_KEYWORDS = [
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-validations',
] as const;

type Extra = Omit<Schema, 'type' | 'description'>;

export const str = (description: string, extra: Extra = {}): Schema => ({
  type: 'string',
  description,
  ...extra,
});
export const bool = (description: string, extra: Extra = {}): Schema => ({
  type: 'boolean',
  description,
  ...extra,
});
export const int32 = (description: string, extra: Extra = {}): Schema => ({
  type: 'integer',
  format: 'int32',
  description,
  ...extra,
});
export const int64 = (description: string, extra: Extra = {}): Schema => ({
  type: 'integer',
  format: 'int64',
  description,
  ...extra,
});

export const obj = (
  description: string,
  properties: Record<string, Schema>,
  extra: Omit<Extra, 'properties'> = {},
): Schema => ({ type: 'object', description, properties, ...extra });

/** A map with string keys: `{type: object, additionalProperties: value}`. */
export const mapOf = (description: string, value: Schema, extra: Extra = {}): Schema => ({
  type: 'object',
  description,
  additionalProperties: value,
  ...extra,
});

/** A list whose items are identified by key fields (merged per item by server-side apply). */
export const listMap = (description: string, item: Schema, keys: string[], extra: Extra = {}): Schema => ({
  type: 'array',
  description,
  items: item,
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': keys,
  ...extra,
});

/** A list of unique scalar values. */
export const listSet = (description: string, item: Schema, extra: Extra = {}): Schema => ({
  type: 'array',
  description,
  items: item,
  'x-kubernetes-list-type': 'set',
  ...extra,
});

/** A regular expression for resource.Quantity in its canonical and suffixed forms. */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** resource.Quantity: an integer or a string such as "250m" or "128Mi". */
export const quantity = (description: string): Schema => ({
  description,
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  pattern: QUANTITY_PATTERN,
  'x-kubernetes-int-or-string': true,
});

/** A DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A DNS-1123 subdomain: labels joined by '.', at most 253 characters. */
export const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export const objectName = (description: string): Schema =>
  str(description, { pattern: DNS1123_SUBDOMAIN, maxLength: 253 });
