import t from 'tap';
import {
  aggregateMessage,
  childPath,
  duplicate,
  errorBody,
  type FieldError,
  forbidden,
  formatFieldError,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
} from './field-errors.ts';

t.test('messages are formatted as field.Error prints them', async (t) => {
  const cases: [FieldError, string][] = [
    [required('spec.runtime'), 'spec.runtime: Required value'],
    [required('spec.source', 'exactly one'), 'spec.source: Required value: exactly one'],
    [forbidden('spec.x', 'may not be set'), 'spec.x: Forbidden: may not be set'],
    [invalid('spec.a', 'x"y', 'bad'), 'spec.a: Invalid value: "x\\"y": bad'],
    [invalid('spec.n', -1, 'must be positive'), 'spec.n: Invalid value: -1: must be positive'],
    [invalid('spec.b', true, 'no'), 'spec.b: Invalid value: true: no'],
    [invalid('spec.o', { a: 1 }, 'no'), 'spec.o: Invalid value: {"a":1}: no'],
    [invalid('spec.z', null, 'no'), 'spec.z: Invalid value: null: no'],
    [
      typeInvalid('spec.t', 'x', 'must be of type integer'),
      'spec.t: Invalid value: "x": must be of type integer',
    ],
    [duplicate('spec.env[1]', { name: 'A' }), 'spec.env[1]: Duplicate value: {"name":"A"}'],
    [
      notSupported('spec.m[0]', 'FOO', ['GET', 'POST']),
      'spec.m[0]: Unsupported value: "FOO": supported values: "GET", "POST"',
    ],
    [tooLong('spec.runtime', 63), 'spec.runtime: Too long: may not be more than 63 bytes'],
    [tooMany('spec.cron', 5, 3), 'spec.cron: Too many: 5: must have at most 3 items'],
    [{ type: 'FieldValueNotFound', field: 'spec.ref', badValue: 'x' }, 'spec.ref: Not found: "x"'],
    [{ type: 'FieldValueInvalid', field: 'spec.q', detail: 'no value' }, 'spec.q: Invalid value: no value'],
  ];
  for (const [e, want] of cases) t.equal(formatFieldError(e), want);
  t.equal(errorBody(required('x')), 'Required value');
});

t.test('aggregate: one error alone, several bracketed, duplicates once', async (t) => {
  const a = required('spec.a');
  const b = required('spec.b');
  t.equal(aggregateMessage([a]), 'spec.a: Required value');
  t.equal(aggregateMessage([a, b]), '[spec.a: Required value, spec.b: Required value]');
  t.equal(aggregateMessage([a, a]), 'spec.a: Required value');
});

t.test('paths: properties, indices and keys', async (t) => {
  t.equal(childPath('', 'spec'), 'spec');
  t.equal(childPath('spec', 'env'), 'spec.env');
  t.equal(childPath('spec.env', 0), 'spec.env[0]');
  t.equal(childPath('spec.source.files', 'a.py', true), 'spec.source.files[a.py]');
});
