import t from 'tap';
import { fullFunction, minimalFunction } from '../src/api/fixtures.ts';
import { StatusError } from './errors.ts';
import { malformedJson, objectToBacking, summarize, typeMetaError } from './translate-request.ts';

const clone = <T>(v: T): T => structuredClone(v);

/** The Status a call throws, or fails the test. */
function statusOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError)
      return { code: e.code, reason: e.reason, message: e.message, details: e.status.details };
    throw e;
  }
  throw new Error('expected a StatusError');
}

t.test('a Function body becomes a FunctionRecord, managedFields included', async (t) => {
  const out = objectToBacking(clone(fullFunction()));
  t.equal(out.apiVersion, 'internal.serverless.kube.io/v1');
  t.equal(out.kind, 'FunctionRecord');
  const meta = out.metadata as ReturnType<typeof fullFunction>['metadata'];
  t.same(
    meta.managedFields?.map((m) => m.apiVersion),
    ['internal.serverless.kube.io/v1', 'internal.serverless.kube.io/v1'],
  );
  t.same(meta.ownerReferences, fullFunction().metadata.ownerReferences, 'ownerReferences untouched');
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = out;
  const { apiVersion: _b, kind: _l, metadata: _n, ...want } = fullFunction();
  t.same(rest, want, 'spec and status untouched');
  t.same(objectToBacking(clone(minimalFunction())).kind, 'FunctionRecord');
});

t.test('a foreign apiVersion: 400 as kube-apiserver words it', async (t) => {
  const body = (apiVersion: unknown) => ({ ...minimalFunction(), apiVersion });
  const mismatch = (v: string) =>
    `the API version in the data (${v}) does not match the expected API version (serverless.kube.io/v1)`;
  for (const [apiVersion, shown] of [
    ['internal.serverless.kube.io/v1', 'internal.serverless.kube.io/v1'],
    ['serverless.kube.io/v2', 'serverless.kube.io/v2'],
    ['v1', 'v1'],
    ['serverless.kube.io', 'serverless.kube.io'],
    ['', ''],
    ['/', ''],
  ] as const) {
    t.same(
      statusOf(() => objectToBacking(body(apiVersion))),
      {
        code: 400,
        reason: 'BadRequest',
        message: mismatch(shown),
        details: undefined,
      },
    );
  }
  const missing = minimalFunction() as Partial<ReturnType<typeof minimalFunction>>;
  delete missing.apiVersion;
  t.equal(statusOf(() => objectToBacking(missing)).message, mismatch(''));
  const raw = '{"apiVersion":"a/b/c","kind":"Function"}';
  t.same(
    statusOf(() => objectToBacking(JSON.parse(raw), { raw })),
    {
      code: 400,
      reason: 'BadRequest',
      message: `the object provided is unrecognized (must be of type Function): unexpected GroupVersion string: a/b/c ({"apiVersion":"a/b/c","kind":" ...)`,
      details: undefined,
    },
  );
});

t.test('a wrong kind: 422 Invalid against the kind sent', async (t) => {
  t.same(
    statusOf(() => objectToBacking({ ...minimalFunction(), kind: 'FunctionRecord' })),
    {
      code: 422,
      reason: 'Invalid',
      message:
        'FunctionRecord.serverless.kube.io "hello" is invalid: kind: Invalid value: "FunctionRecord": must be Function',
      details: {
        name: 'hello',
        group: 'serverless.kube.io',
        kind: 'FunctionRecord',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: "FunctionRecord": must be Function',
            field: 'kind',
          },
        ],
      },
    },
  );
  const generated = { ...minimalFunction(), kind: 'Pod', metadata: { generateName: 'fn-' } };
  t.equal(
    statusOf(() => objectToBacking(generated)).message,
    'Pod.serverless.kube.io "" is invalid: kind: Invalid value: "Pod": must be Function',
  );
});

t.test('a missing kind: the decode error, by field validation', async (t) => {
  const raw = '{"apiVersion":"serverless.kube.io/v1","metadata":{"name":"x"}}';
  const body = () => JSON.parse(raw);
  const strict = `the object provided is unrecognized (must be of type Function): Object 'Kind' is missing in '${raw}' ({"apiVersion":"serverless.kube ...)`;
  t.equal(statusOf(() => objectToBacking(body(), { raw })).message, strict, 'default (Warn)');
  t.equal(statusOf(() => objectToBacking(body(), { raw, fieldValidation: 'Strict' })).message, strict);
  t.equal(
    statusOf(() => objectToBacking(body(), { raw, fieldValidation: 'Ignore' })).message,
    `Function in version "v1" cannot be handled as a Function: Object 'Kind' is missing in '${raw}'`,
  );
  const other = '{"apiVersion":"example.com/v2"}';
  t.equal(
    statusOf(() => objectToBacking(JSON.parse(other), { raw: other, fieldValidation: 'Ignore' })).message,
    `Function in version "v2" cannot be handled as a Function: Object 'Kind' is missing in '${other}'`,
  );
  t.equal(statusOf(() => objectToBacking({ ...minimalFunction(), kind: '' })).code, 400);
  t.equal(
    statusOf(() => objectToBacking(null, { raw: 'null' })).message,
    `the object provided is unrecognized (must be of type Function): Object 'Kind' is missing in 'null' (6e756c6c)`,
  );
});

t.test('bodies that are not objects, and fields of the wrong type', async (t) => {
  const struct = `struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`;
  for (const [body, type] of [
    [[], 'array'],
    ['x', 'string'],
    [3, 'number'],
    [true, 'bool'],
  ] as const) {
    const raw = JSON.stringify(body);
    const s = statusOf(() => objectToBacking(body, { raw }));
    t.equal(s.code, 400);
    t.equal(
      s.message,
      `the object provided is unrecognized (must be of type Function): couldn't get version/kind; json parse error: json: cannot unmarshal ${type} into Go value of type ${struct} (${summarize(raw)})`,
    );
  }
  t.match(
    statusOf(() => objectToBacking({ apiVersion: 5, kind: 'Function' })).message,
    'json: cannot unmarshal number into Go struct field .apiVersion of type string',
  );
  t.match(
    statusOf(() => objectToBacking({ apiVersion: 'serverless.kube.io/v1', kind: {} })).message,
    'json: cannot unmarshal object into Go struct field .kind of type string',
  );
});

t.test('summaries and malformed JSON', async (t) => {
  t.equal(summarize(''), '<empty>');
  t.equal(summarize('{"a":1}'), '{"a":1}');
  t.equal(summarize(`{"${'a'.repeat(40)}":1}`), `{"${'a'.repeat(28)} ...`);
  t.equal(summarize('[1]'), '5b315d');
  t.equal(summarize('x'.repeat(31)), `${'78'.repeat(30)} ...`);
  const parse = (raw: string) => {
    try {
      JSON.parse(raw);
    } catch (e) {
      return malformedJson(raw, e);
    }
    throw new Error('parsed');
  };
  t.equal(
    parse('{"a":').message,
    `the object provided is unrecognized (must be of type Function): couldn't get version/kind; json parse error: unexpected end of JSON input ({"a":)`,
  );
  t.equal(
    parse('{"a":x}').message,
    `the object provided is unrecognized (must be of type Function): couldn't get version/kind; json parse error: invalid character 'x' looking for beginning of value ({"a":x})`,
  );
  t.match(parse('{a}').message, "invalid character 'a' looking for beginning of object key string");
  t.match(parse('[1,]').message, "invalid character ']' looking for beginning of value");
  t.match(parse('').message, 'unexpected end of JSON input (<empty>)');
  t.match(malformedJson('x', new Error('odd')).message, 'unexpected end of JSON input');
});

t.test('typeMetaError lists kind, then apiVersion', async (t) => {
  t.equal(typeMetaError('serverless.kube.io/v1', 'Function', 'x'), undefined);
  t.equal(
    typeMetaError('example.com/v1', 'Foo', 'x')?.message,
    'Foo.example.com "x" is invalid: [kind: Invalid value: "Foo": must be Function, apiVersion: Invalid value: "example.com/v1": must be serverless.kube.io/v1]',
  );
  t.equal(
    typeMetaError('v1', 'Function', 'x')?.message,
    'Function "x" is invalid: apiVersion: Invalid value: "v1": must be serverless.kube.io/v1',
  );
});
