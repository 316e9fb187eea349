import t from 'tap';
import { admissionReview, requestOptions } from './review.ts';

const user = { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: {} };
const fn = { apiVersion: 'serverless.kube.io/v1', kind: 'Function', metadata: { name: 'hello' } };

t.test('a review names the request, the real user and the public objects', async (t) => {
  const review = admissionReview(
    {
      operation: 'UPDATE',
      group: 'serverless.kube.io',
      version: 'v1',
      resource: 'functions',
      subresource: 'scale',
      namespace: 'team-a',
      name: 'hello',
      kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      user,
      dryRun: true,
      options: requestOptions('UPDATE', new URLSearchParams('dryRun=All&fieldManager=me&force=true'), true),
      object: { kind: 'Scale' },
      oldObject: { kind: 'Scale' },
    },
    'uid-1',
  );
  t.same(review, {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'uid-1',
      kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      resource: { group: 'serverless.kube.io', version: 'v1', resource: 'functions' },
      subResource: 'scale',
      requestKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      requestResource: { group: 'serverless.kube.io', version: 'v1', resource: 'functions' },
      requestSubResource: 'scale',
      name: 'hello',
      namespace: 'team-a',
      operation: 'UPDATE',
      userInfo: { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'] },
      object: { kind: 'Scale' },
      oldObject: { kind: 'Scale' },
      dryRun: true,
      options: {
        kind: 'PatchOptions',
        apiVersion: 'meta.k8s.io/v1',
        dryRun: ['All'],
        fieldManager: 'me',
        force: true,
      },
    },
  });
});

t.test('a create has no oldObject and no subresource fields; each review its own uid', async (t) => {
  const attrs = {
    operation: 'CREATE' as const,
    group: 'serverless.kube.io',
    version: 'v1',
    resource: 'functions',
    subresource: '',
    namespace: 'team-a',
    name: '',
    kind: { group: 'serverless.kube.io', version: 'v1', kind: 'Function' },
    user: { username: 'bob', groups: [], extra: { scopes: ['a'] } },
    dryRun: false,
    options: requestOptions('CREATE', new URLSearchParams(), false),
    object: fn,
    oldObject: undefined,
  };
  const a = admissionReview(attrs).request;
  const b = admissionReview(attrs).request;
  t.not(a.uid, b.uid);
  t.equal(a.oldObject, null);
  t.notOk('subResource' in a);
  t.notOk('name' in a, 'a generated name is not known yet');
  t.same(a.userInfo, { username: 'bob', extra: { scopes: ['a'] } });
  t.same(a.options, { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' });
});

t.test('DeleteOptions merge the body with the query', async (t) => {
  const options = requestOptions(
    'DELETE',
    new URLSearchParams('gracePeriodSeconds=0&propagationPolicy=Foreground&dryRun=All'),
    false,
    { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'x' } },
  );
  t.same(options, {
    kind: 'DeleteOptions',
    apiVersion: 'meta.k8s.io/v1',
    preconditions: { uid: 'x' },
    dryRun: ['All'],
    gracePeriodSeconds: 0,
    propagationPolicy: 'Foreground',
  });
});
