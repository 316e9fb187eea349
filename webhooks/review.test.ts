import t from 'tap';
import { minimalFunction } from '../src/api/fixtures.ts';
import { allow, deny, parseReview, review } from './review.ts';

const request = (extra: Record<string, unknown> = {}) => ({
  uid: 'u-1',
  kind: { group: 'serverless.kube.io', version: 'v1', kind: 'Function' },
  resource: { group: 'serverless.kube.io', version: 'v1', resource: 'functions' },
  operation: 'CREATE',
  name: 'hello',
  namespace: 'default',
  object: minimalFunction(),
  ...extra,
});
const body = (r: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: r, ...extra });

t.test('a well-formed request is read with defaults for the optional fields', async (t) => {
  const parsed = parseReview(body(request({ name: undefined })));
  t.ok('request' in parsed);
  if (!('request' in parsed)) return;
  t.match(parsed.request, {
    uid: 'u-1',
    operation: 'CREATE',
    name: '',
    namespace: 'default',
    subResource: '',
  });
  t.same(parsed.request.object, minimalFunction());
  t.equal(parsed.request.oldObject, undefined);
  const del = parseReview(body(request({ operation: 'DELETE', object: null, oldObject: minimalFunction() })));
  t.ok('request' in del, 'DELETE needs no object');
});

t.test('malformed bodies and reviews are 400 Status objects saying what is wrong', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{', /the body is not JSON/],
    ['an array', '[]', /not an AdmissionReview object/],
    [
      'v1beta1',
      body(request(), { apiVersion: 'admission.k8s.io/v1beta1' }),
      /expected apiVersion "admission.k8s.io\/v1".*"admission.k8s.io\/v1beta1"/,
    ],
    [
      'no kind',
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', request: request() }),
      /got "admission.k8s.io\/v1" and nothing/,
    ],
    ['no request', body(undefined), /request: required object is missing/],
    ['empty uid', body(request({ uid: '' })), /request.uid: a non-empty string is required/],
    [
      'bad operation',
      body(request({ operation: 'PATCH' })),
      /request.operation: "PATCH" is not one of CREATE, UPDATE, DELETE, CONNECT/,
    ],
    [
      'bad kind',
      body(request({ kind: 'Function' })),
      /request.kind: an object with string group, version and kind/,
    ],
    [
      'CREATE without object',
      body(request({ object: undefined })),
      /request.object: required object is missing for CREATE/,
    ],
    [
      'UPDATE without oldObject',
      body(request({ operation: 'UPDATE' })),
      /request.oldObject: required object is missing for UPDATE/,
    ],
    ['object not an object', body(request({ object: [1] })), /request.object/],
    ['name not a string', body(request({ name: 3 })), /request.name: must be a string/],
  ];
  for (const [what, text, message] of cases) {
    const parsed = parseReview(text);
    t.ok('error' in parsed, what);
    if (!('error' in parsed)) continue;
    t.match(
      parsed.error,
      { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400 },
      what,
    );
    t.match(parsed.error.message, message, what);
  }
  const several = parseReview(body(request({ uid: 7, operation: 'X' })));
  t.match(
    'error' in several && several.error.message,
    /request.uid.*; request.operation/,
    'every problem at once',
  );
});

t.test('responses', async (t) => {
  t.same(review(allow('u')), {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: 'u', allowed: true },
  });
  t.same(allow('u', ['w']), { uid: 'u', allowed: true, warnings: ['w'] });
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422 } as const;
  t.same(deny('u', status), { uid: 'u', allowed: false, status });
});
