// The serving certificates on the real local control plane: two replicas create one Secret,
// inject its CA bundle into the APIService and our labelled webhook configurations (also when
// these are reapplied without it), and rotate the serving certificate and the CA while running:
// new certificates are served without a restart and kubectl keeps working through the
// APIService meanwhile.

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:tls';
import t from 'tap';
import { issuedBy } from '../../certs/inspect.ts';
import { createCertificateAuthority, issueCertificate } from '../../certs/pki.ts';
import { CA_RENEWED_AT_ANNOTATION, SECRET_KEYS, splitPemCertificates } from '../../certs/serving-material.ts';
import { waitUntil } from '../../src/local-cluster/health.ts';
import { startCluster } from '../helpers/cluster.ts';

// A new CA is trusted this long before it signs; the replicas inherit the environment.
process.env.KS_TLS_CA_OVERLAP_SECONDS = '20';
const cluster = await startCluster({ platform: true });
t.teardown(() => cluster.stop());
const platform = cluster.platform!;
const pids = platform.replicas.map((replica) => replica.pid);
const NS = 'kube-serverless';
const SECRET = 'kube-serverless-tls';
const wait = { timeoutMs: 120_000, intervalMs: 500 };

interface Material {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  caBundle: string;
}

async function readSecret(): Promise<Material & { resourceVersion: string }> {
  const secret = JSON.parse(await cluster.kubectl(['get', 'secret', SECRET, '-n', NS, '-o', 'json']));
  const value = (key: string) => Buffer.from(secret.data[key], 'base64').toString('utf8');
  return {
    caCert: value(SECRET_KEYS.caCert),
    caKey: value(SECRET_KEYS.caKey),
    cert: value(SECRET_KEYS.cert),
    key: value(SECRET_KEYS.key),
    caBundle: value(SECRET_KEYS.caBundle),
    resourceVersion: secret.metadata.resourceVersion,
  };
}

async function writeSecret(material: Material, annotations: Record<string, string> = {}): Promise<void> {
  const encode = (value: string) => Buffer.from(value).toString('base64');
  await cluster.kubectl([
    'patch',
    'secret',
    SECRET,
    '-n',
    NS,
    '--type=merge',
    '-p',
    JSON.stringify({
      metadata: { annotations },
      data: {
        [SECRET_KEYS.caCert]: encode(material.caCert),
        [SECRET_KEYS.caKey]: encode(material.caKey),
        [SECRET_KEYS.cert]: encode(material.cert),
        [SECRET_KEYS.key]: encode(material.key),
        [SECRET_KEYS.caBundle]: encode(material.caBundle),
      },
    }),
  ]);
}

/** The certificate a replica (or the balancer) presents to a new connection. */
function servedCertificate(servedPort: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port: servedPort, servername: 'localhost', rejectUnauthorized: false },
      () => {
        const raw = socket.getPeerCertificate().raw;
        socket.end();
        resolve(new X509Certificate(raw));
      },
    );
    socket.on('error', reject);
  });
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

async function everyReplicaServes(pem: string): Promise<boolean> {
  const served = await Promise.all(platform.replicaPorts.map(servedCertificate));
  return served.every((cert) => cert.fingerprint256 === fingerprint(pem));
}

async function apiServiceCaBundle(): Promise<string> {
  const apiService = JSON.parse(
    await cluster.kubectl(['get', 'apiservice', 'v1.serverless.kube.io', '-o', 'json']),
  );
  return Buffer.from(apiService.spec.caBundle ?? '', 'base64').toString('utf8');
}

async function webhookCaBundles(kind: string, name: string): Promise<string[]> {
  const configuration = JSON.parse(await cluster.kubectl(['get', kind, name, '-o', 'json']));
  return configuration.webhooks.map((webhook: { clientConfig: { caBundle?: string } }) =>
    Buffer.from(webhook.clientConfig.caBundle ?? '', 'base64').toString('utf8'),
  );
}

/** Runs kubectl through the APIService until stopped; counts successes and keeps failures. */
function keepUsingKubectl() {
  let stopped = false;
  const result = { ok: 0, failures: [] as string[] };
  const loop = (async () => {
    while (!stopped) {
      try {
        await cluster.kubectl(['get', 'functions', '-A', '-o', 'name']);
        result.ok++;
      } catch (error) {
        result.failures.push((error as Error).message);
      }
    }
  })();
  return {
    /** Resolves after `count` more successful runs (requests over connections opened since). */
    more: (count: number) => {
      const target = result.ok + count;
      return waitUntil(`${count} more kubectl runs`, async () => result.ok >= target, wait);
    },
    stop: async () => {
      stopped = true;
      await loop;
      return result;
    },
  };
}

t.test(
  'two replicas create one Secret and serve its certificate; the platform wrote its bundle',
  async (t) => {
    const material = await readSecret();
    const logs = await Promise.all(
      platform.replicas.map((_, index) =>
        readFile(join(cluster.controlPlane.stateDir, 'logs', `kube-serverless-${index}.log`), 'utf8'),
      ),
    );
    const creations = logs.join('').match(/created the serving certificate secret/g) ?? [];
    t.equal(creations.length, 1, 'one replica won the race, the other read its Secret');
    t.ok(await everyReplicaServes(material.cert));
    t.equal(await readFile(platform.servingCaFile, 'utf8'), material.caBundle);
    t.equal(await apiServiceCaBundle(), material.caBundle);
    const served = await servedCertificate(platform.replicaPorts[0]!);
    t.match(
      served.subjectAltName,
      /DNS:kube-serverless-api\.kube-serverless\.svc, DNS:kube-serverless-api\.kube-serverless\.svc\.cluster\.local, DNS:localhost, IP Address:127\.0\.0\.1/,
    );
  },
);

t.test(
  'the caBundle is injected into our labelled webhook configurations, also after a reapply',
  async (t) => {
    const { caBundle } = await readSecret();
    // The platform registers them (manifests/base/webhooks.yaml) without a caBundle.
    const configurations = [
      ['mutatingwebhookconfiguration', 'kube-serverless-defaults'],
      ['validatingwebhookconfiguration', 'kube-serverless-validation'],
    ] as const;
    const injected = async (resource: string, name: string) =>
      (await webhookCaBundles(resource, name)).every((bundle) => bundle === caBundle);
    for (const [resource, name] of configurations) {
      await waitUntil(`${name} injected`, () => injected(resource, name), wait);
      // A reapply of the manifest leaves caBundle out of every webhook.
      const count = (await webhookCaBundles(resource, name)).length;
      const removals = Array.from({ length: count }, (_, i) => ({
        op: 'remove',
        path: `/webhooks/${i}/clientConfig/caBundle`,
      }));
      await cluster.kubectl(['patch', resource, name, '--type=json', '-p', JSON.stringify(removals)]);
      await waitUntil(`${name} injected again`, () => injected(resource, name), wait);
      t.pass(`${name} carries the CA bundle in each of its ${count} webhooks`);
    }
    await cluster.kubectl([
      'patch',
      'apiservice',
      'v1.serverless.kube.io',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/spec/caBundle"}]',
    ]);
    await waitUntil('APIService injected again', async () => (await apiServiceCaBundle()) === caBundle, wait);
    t.pass('the APIService gets its CA bundle back');
  },
);

t.test('a serving certificate near its expiry is reissued and served without a restart', async (t) => {
  const before = await readSecret();
  const ca = { commonName: 'current', certPem: before.caCert, keyPem: before.caKey };
  // Two minutes left of seven (five are backdated): less than a third, so due at once.
  const nearExpiry = await issueCertificate(ca, {
    commonName: 'kube-serverless-api.kube-serverless.svc',
    dnsNames: [
      'kube-serverless-api.kube-serverless.svc',
      'kube-serverless-api.kube-serverless.svc.cluster.local',
      'localhost',
    ],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    validityDays: 2 / 1440,
  });
  const kubectl = keepUsingKubectl();
  const writtenAt = Date.now();
  await writeSecret({ ...before, cert: nearExpiry.certPem, key: nearExpiry.keyPem });
  let reissued = '';
  await waitUntil(
    'a reissued serving certificate, served by every replica',
    async () => {
      const now = await readSecret();
      reissued = now.cert;
      return ![before.cert, nearExpiry.certPem].includes(now.cert) && (await everyReplicaServes(now.cert));
    },
    wait,
  );
  t.comment(`reissued and served by every replica ${Date.now() - writtenAt} ms after the write`);
  await kubectl.more(5);
  const { ok, failures } = await kubectl.stop();
  t.same(failures, [], 'kubectl kept working');
  t.ok(ok > 0, `kubectl ran ${ok} times during the rotation`);
  t.ok(issuedBy(new X509Certificate(reissued), new X509Certificate(before.caCert)), 'by the same CA');
  t.ok(await everyReplicaServes(reissued), 'the reissued certificate is served');
  t.same(
    platform.replicas.map((replica) => replica.pid),
    pids,
    'no replica restarted',
  );
});

t.test(
  'a CA near expiry is renewed: both trusted, then the certificate moves, then the old CA leaves',
  async (t) => {
    const current = await readSecret();
    // A CA with two minutes left of seven: due for renewal as soon as it signs. First it joins the
    // trusted bundle (as a renewal would have put it there), then it becomes the signing CA.
    const oldCa = await createCertificateAuthority('serving-certificates-test-ca', 2 / 1440);
    const oldServing = await issueCertificate(oldCa, {
      commonName: 'kube-serverless-api.kube-serverless.svc',
      dnsNames: [
        'kube-serverless-api.kube-serverless.svc',
        'kube-serverless-api.kube-serverless.svc.cluster.local',
        'localhost',
      ],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      validityDays: 2 / 1440,
    });
    const bothTrusted = `${current.caCert.trim()}\n${oldCa.certPem.trim()}\n`;
    await writeSecret(
      { ...current, caBundle: bothTrusted },
      { [CA_RENEWED_AT_ANNOTATION]: new Date().toISOString() },
    );
    await waitUntil(
      'the APIService trusts the test CA',
      async () => (await apiServiceCaBundle()) === bothTrusted,
      wait,
    );

    const kubectl = keepUsingKubectl();
    await writeSecret({
      caCert: oldCa.certPem,
      caKey: oldCa.keyPem,
      cert: oldServing.certPem,
      key: oldServing.keyPem,
      caBundle: bothTrusted,
    });
    let renewed = current;
    await waitUntil(
      'a new CA that signs the served certificate',
      async () => {
        renewed = await readSecret();
        const newCa = new X509Certificate(renewed.caCert);
        return (
          ![current.caCert, oldCa.certPem].includes(renewed.caCert) &&
          issuedBy(new X509Certificate(renewed.cert), newCa) &&
          (await everyReplicaServes(renewed.cert))
        );
      },
      wait,
    );
    const trusted = splitPemCertificates(renewed.caBundle);
    t.equal(trusted[0], renewed.caCert.trim(), 'the new CA is trusted');
    // It leaves one overlap (20 s) after the move, which has just happened.
    t.equal(trusted[1], oldCa.certPem.trim(), 'the previous CA is still trusted right after the move');
    await waitUntil(
      'the test CA retired from the bundle',
      async () => splitPemCertificates((await readSecret()).caBundle).length === 1,
      wait,
    );
    const final = await readSecret();
    await waitUntil(
      'the APIService carries the final bundle',
      async () => (await apiServiceCaBundle()) === final.caBundle,
      wait,
    );
    await waitUntil(
      'the webhook configuration carries the final bundle',
      async () =>
        (await webhookCaBundles('validatingwebhookconfiguration', 'kube-serverless-validation'))[0] ===
        final.caBundle,
      wait,
    );
    const { ok, failures } = await kubectl.stop();
    t.same(failures, [], 'kubectl kept working through the CA renewal');
    t.ok(ok > 0, `kubectl ran ${ok} times during the renewal`);
    t.same(
      platform.replicas.map((replica) => replica.pid),
      pids,
      'no replica restarted',
    );
  },
);

t.test(
  'a deleted Secret is recreated with a new CA, injected everywhere, and kubectl works again',
  async (t) => {
    const before = await readSecret();
    const deletedAt = Date.now();
    await cluster.kubectl(['delete', 'secret', SECRET, '-n', NS]);
    let recreated = before;
    await waitUntil(
      'a new Secret, served and injected',
      async () => {
        recreated = await readSecret();
        return (
          recreated.caCert !== before.caCert &&
          (await everyReplicaServes(recreated.cert)) &&
          (await apiServiceCaBundle()) === recreated.caBundle
        );
      },
      wait,
    );
    await waitUntil(
      'kubectl through the APIService',
      async () => {
        await cluster.kubectl(['get', 'functions', '-A']);
        return true;
      },
      wait,
    );
    t.comment(`recreated, served and injected ${Date.now() - deletedAt} ms after the delete`);
    t.equal(splitPemCertificates(recreated.caBundle).length, 1);
    t.same(
      platform.replicas.map((replica) => replica.pid),
      pids,
      'no replica restarted',
    );
  },
);
