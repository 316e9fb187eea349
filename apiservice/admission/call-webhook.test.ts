import t from 'tap';
import { CallError, parseAnswer } from './call-webhook.ts';
import { webhooksOf } from './webhooks.ts';

const hook = (kind: 'mutating' | 'validating') =>
  webhooksOf(kind, {
    metadata: { name: 'c' },
    webhooks: [{ name: 'w', clientConfig: {}, sideEffects: 'None', admissionReviewVersions: ['v1'] }],
  })[0]!;
const review = (response: unknown) =>
  JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response });

t.test('answers are checked as kube-apiserver checks them', async (t) => {
  const bad = (text: string, kind: 'mutating' | 'validating' = 'mutating') => {
    try {
      parseAnswer(hook(kind), 'u1', text);
    } catch (error) {
      t.type(error, CallError);
      return (error as Error).message;
    }
    return 'accepted';
  };
  t.match(bad('not json'), /^failed calling webhook "w": received invalid webhook response: /);
  t.equal(
    bad(JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview' })),
    'failed calling webhook "w": received invalid webhook response: expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview',
  );
  t.match(bad(review(undefined)), /webhook response was absent$/);
  t.match(bad(review({ uid: 'other', allowed: true })), /expected response.uid="u1", got "other"$/);
  t.match(bad(review({ uid: 'u1', allowed: true, patch: 'W10=' })), /patch but not response.patchType$/);
  t.match(
    bad(review({ uid: 'u1', allowed: true, patch: 'W10=', patchType: 'JSONPatch' }), 'validating'),
    /validating webhooks may not return patches$/,
  );
  const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/a', value: 1 }])).toString('base64');
  t.same(
    parseAnswer(
      hook('mutating'),
      'u1',
      review({ uid: 'u1', allowed: true, patch, patchType: 'JSONPatch', warnings: ['w'] }),
    ),
    {
      allowed: true,
      status: undefined,
      patch: [{ op: 'add', path: '/a', value: 1 }],
      warnings: ['w'],
    },
  );
  t.match(
    parseAnswer(hook('validating'), 'u1', review({ uid: 'u1', allowed: false, status: { code: 403 } })),
    {
      allowed: false,
      status: { code: 403 },
    },
  );
});
