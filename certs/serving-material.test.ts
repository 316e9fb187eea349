import { X509Certificate } from 'node:crypto';
import t from 'tap';
import { decide } from './rotation.ts';
import {
  carryOut,
  observe,
  type ServingMaterial,
  servingNames,
  splitPemCertificates,
} from './serving-material.ts';

const names = servingNames('kube-serverless-api', 'kube-serverless', ['localhost', '127.0.0.1']);
const lifetimes = { caDays: 3650, servingDays: 90 };
const policy = { renewFraction: 1 / 3, caOverlapMs: 60_000 };

t.test('names: the service DNS names plus extra DNS names and IP addresses', async (t) => {
  t.same(names, {
    dnsNames: [
      'kube-serverless-api.kube-serverless.svc',
      'kube-serverless-api.kube-serverless.svc.cluster.local',
      'localhost',
    ],
    ipAddresses: ['127.0.0.1'],
  });
});

t.test('an empty Secret gets a CA and a serving certificate that then are kept', async (t) => {
  const empty = observe({}, names);
  t.equal(decide(empty, Date.now(), policy).action, 'create-ca');
  const material = await carryOut({ action: 'create-ca', reason: '' }, {}, names, lifetimes);
  const observed = observe(material, names);
  t.match(observed, {
    bundleHasSigningCa: true,
    previousCas: [],
    serving: { issuedBySigningCa: true, namesMatch: true },
  });
  t.equal(decide(observed, Date.now(), policy).action, 'keep');
  t.match(new X509Certificate(material.cert).subjectAltName, /DNS:localhost/);
});

t.test('other names, a foreign key or garbage are seen as such', async (t) => {
  const material = await carryOut({ action: 'create-ca', reason: '' }, {}, names, lifetimes);
  t.equal(observe(material, servingNames('other', 'kube-serverless')).serving?.namesMatch, false);
  const other = await carryOut({ action: 'create-ca', reason: '' }, {}, names, lifetimes);
  t.equal(observe({ ...material, key: other.key }, names).serving, undefined, 'key of another certificate');
  t.equal(observe({ ...material, caKey: other.caKey }, names).signingCa, undefined, 'CA key of another CA');
  t.equal(observe({ ...material, cert: 'garbage' }, names).serving, undefined);
  t.equal(
    observe({ ...material, cert: other.cert, key: other.key }, names).serving?.issuedByTrustedCa,
    false,
  );
});

t.test(
  'a CA renewal trusts both CAs, then the serving certificate moves, then the old CA leaves',
  async (t) => {
    const start = new Date();
    const first = await carryOut({ action: 'create-ca', reason: '' }, {}, names, lifetimes, start);
    const renewed = await carryOut({ action: 'renew-ca', reason: '' }, first, names, lifetimes, start);
    t.equal(splitPemCertificates(renewed.caBundle).length, 2);
    t.equal(splitPemCertificates(renewed.caBundle)[1], first.caCert.trim(), 'the old CA stays trusted');
    t.equal(renewed.cert, first.cert, 'the serving certificate stays during the overlap');
    let observed = observe(renewed, names);
    t.match(observed, {
      serving: { issuedBySigningCa: false, issuedByTrustedCa: true },
      caRenewedAt: start.getTime(),
    });
    t.equal(decide(observed, start.getTime(), policy).action, 'keep');

    const afterOverlap = start.getTime() + policy.caOverlapMs;
    const decision = decide(observed, afterOverlap, policy);
    t.equal(decision.action, 'reissue-serving');
    const moved: ServingMaterial = await carryOut(
      decision as { action: 'reissue-serving'; reason: string },
      renewed,
      names,
      lifetimes,
    );
    observed = observe(moved, names);
    t.match(observed, { serving: { issuedBySigningCa: true }, previousCas: [{}] });
    const retire = decide(observed, afterOverlap + policy.caOverlapMs, policy);
    t.match(retire, { action: 'rebuild-bundle', retirePrevious: true });
    const retired = await carryOut(retire as Parameters<typeof carryOut>[0], moved, names, lifetimes);
    t.same(splitPemCertificates(retired.caBundle), [moved.caCert.trim()]);
    t.equal(decide(observe(retired, names), afterOverlap + policy.caOverlapMs, policy).action, 'keep');
  },
);
