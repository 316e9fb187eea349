import t from 'tap';
import { invalid as invalidField, required } from '../src/api/field-errors.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  gone,
  internalError,
  invalid,
  isStatus,
  methodNotSupported,
  notAcceptable,
  notAcceptableConversion,
  notFound,
  OBJECT_MODIFIED,
  REASON_CODES,
  requestEntityTooLarge,
  resourceExpired,
  StatusError,
  serverTimeout,
  serviceUnavailable,
  timeout,
  tooManyRequests,
  toStatusError,
  unauthorized,
  unsupportedMediaType,
} from './errors.ts';

const failure = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure' };

t.test('each error is the Status kube-apiserver sends', async (t) => {
  const fn = { group: 'serverless.kube.io', kind: 'functions' };
  const cases: [StatusError, object][] = [
    [
      notFound('hello'),
      {
        message: 'functions.serverless.kube.io "hello" not found',
        reason: 'NotFound',
        details: { ...fn, name: 'hello' },
        code: 404,
      },
    ],
    [
      notFound('web', { group: '', resource: 'configmaps' }),
      {
        message: 'configmaps "web" not found',
        reason: 'NotFound',
        details: { kind: 'configmaps', name: 'web' },
        code: 404,
      },
    ],
    [
      alreadyExists('hello'),
      {
        message: 'functions.serverless.kube.io "hello" already exists',
        reason: 'AlreadyExists',
        details: { ...fn, name: 'hello' },
        code: 409,
      },
    ],
    [
      conflict('hello', OBJECT_MODIFIED),
      {
        message:
          'Operation cannot be fulfilled on functions.serverless.kube.io "hello": the object has been modified; please apply your changes to the latest version and try again',
        reason: 'Conflict',
        details: { ...fn, name: 'hello' },
        code: 409,
      },
    ],
    [
      forbidden('hello', 'User "bob" cannot create resource "functions" in API group "serverless.kube.io"'),
      {
        message:
          'functions.serverless.kube.io "hello" is forbidden: User "bob" cannot create resource "functions" in API group "serverless.kube.io"',
        reason: 'Forbidden',
        details: { ...fn, name: 'hello' },
        code: 403,
      },
    ],
    [
      forbidden('', 'User "bob" cannot list resource "functions"'),
      {
        message: 'functions.serverless.kube.io is forbidden: User "bob" cannot list resource "functions"',
        reason: 'Forbidden',
        details: fn,
        code: 403,
      },
    ],
    [
      forbidden('', 'no', { group: '', resource: '' }),
      { message: 'forbidden: no', reason: 'Forbidden', code: 403 },
    ],
    [unauthorized(), { message: 'not authorized', reason: 'Unauthorized', code: 401 }],
    [unauthorized('Unauthorized'), { message: 'Unauthorized', reason: 'Unauthorized', code: 401 }],
    [badRequest('bad'), { message: 'bad', reason: 'BadRequest', code: 400 }],
    [
      methodNotSupported('create'),
      {
        message: 'create is not supported on resources of kind "functions.serverless.kube.io"',
        reason: 'MethodNotAllowed',
        details: fn,
        code: 405,
      },
    ],
    [
      notAcceptable(['application/json', 'application/yaml']),
      {
        message: 'only the following media types are accepted: application/json, application/yaml',
        reason: 'NotAcceptable',
        code: 406,
      },
    ],
    [
      notAcceptableConversion('Table', ['application/json']),
      {
        message: 'only the following media types are accepted when converting to Table: application/json',
        reason: 'NotAcceptable',
        code: 406,
      },
    ],
    [
      unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json']),
      {
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json',
        reason: 'UnsupportedMediaType',
        code: 415,
      },
    ],
    [
      requestEntityTooLarge('limit is 3145728'),
      { message: 'Request entity too large: limit is 3145728', reason: 'RequestEntityTooLarge', code: 413 },
    ],
    [
      resourceExpired('too old resource version: 5 (10)'),
      { message: 'too old resource version: 5 (10)', reason: 'Expired', code: 410 },
    ],
    [gone('gone'), { message: 'gone', reason: 'Gone', code: 410 }],
    [
      timeout('request did not complete within requested timeout - context deadline exceeded', 0),
      {
        message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
        reason: 'Timeout',
        code: 504,
      },
    ],
    [
      timeout('invoke', 2),
      { message: 'Timeout: invoke', reason: 'Timeout', details: { retryAfterSeconds: 2 }, code: 504 },
    ],
    [
      serverTimeout('create', 2),
      {
        message:
          'The create operation against functions.serverless.kube.io could not be completed at this time, please try again.',
        reason: 'ServerTimeout',
        details: { ...fn, name: 'create', retryAfterSeconds: 2 },
        code: 500,
      },
    ],
    [
      tooManyRequests('slow down', 1),
      { message: 'slow down', reason: 'TooManyRequests', details: { retryAfterSeconds: 1 }, code: 429 },
    ],
    [serviceUnavailable('not ready'), { message: 'not ready', reason: 'ServiceUnavailable', code: 503 }],
    [
      internalError(new Error('boom')),
      {
        message: 'Internal error occurred: boom',
        reason: 'InternalError',
        details: { causes: [{ message: 'boom' }] },
        code: 500,
      },
    ],
  ];
  for (const [err, want] of cases) {
    t.same(err.toJSON(), { ...failure, ...want }, err.message);
    t.equal(
      err.code,
      REASON_CODES[err.reason as keyof typeof REASON_CODES],
      `${err.reason} has its registered code`,
    );
    t.ok(err instanceof Error);
  }
});

t.test('Invalid carries every cause with its field path', async (t) => {
  const one = invalid('hello', [required('spec.runtime')]);
  t.same(one.toJSON(), {
    ...failure,
    message: 'Function.serverless.kube.io "hello" is invalid: spec.runtime: Required value',
    reason: 'Invalid',
    details: {
      group: 'serverless.kube.io',
      kind: 'Function',
      name: 'hello',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.runtime' }],
    },
    code: 422,
  });
  const two = invalid('hello', [
    required('spec.runtime'),
    invalidField('spec.scale.maxReplicas', 0, 'must be at least minReplicas (1)'),
  ]);
  t.equal(
    two.message,
    'Function.serverless.kube.io "hello" is invalid: [spec.runtime: Required value, spec.scale.maxReplicas: Invalid value: 0: must be at least minReplicas (1)]',
  );
  t.same(
    two.status.details?.causes?.map((c) => c.field),
    ['spec.runtime', 'spec.scale.maxReplicas'],
  );
  t.equal(invalid('x', []).message, 'Function.serverless.kube.io "x" is invalid');
  t.equal(
    invalid('x', [required('spec.replicas')], { group: 'autoscaling', kind: 'Scale' }).message,
    'Scale.autoscaling "x" is invalid: spec.replicas: Required value',
  );
});

t.test('JSON serialization keeps kube-apiserver key order', async (t) => {
  t.equal(
    JSON.stringify(notFound('a')),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"functions.serverless.kube.io \\"a\\" not found","reason":"NotFound","details":{"name":"a","group":"serverless.kube.io","kind":"functions"},"code":404}',
  );
});

t.test('toStatusError: errors, Status objects and anything else', async (t) => {
  const e = notFound('a');
  t.equal(toStatusError(e), e);
  const fromBacking = toStatusError({ ...e.toJSON() });
  t.ok(fromBacking instanceof StatusError);
  t.same(fromBacking.toJSON(), e.toJSON());
  t.equal(toStatusError(new Error('x')).code, 500);
  t.equal(toStatusError('weird').message, 'Internal error occurred: weird');
  t.ok(isStatus(e.toJSON()));
  t.notOk(isStatus({ kind: 'Status' }));
  t.notOk(isStatus(null));
});
