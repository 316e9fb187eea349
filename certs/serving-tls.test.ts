import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import t from 'tap';
import { createCertificateAuthority, issueCertificate } from './pki.ts';
import { type CertificatePair, startServingTls } from './serving-tls.ts';

t.test('file mode serves the files and picks up a renewal, never a half-written one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ks-serving-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ca = await createCertificateAuthority('file-mode-ca');
  const issue = () => issueCertificate(ca, { commonName: 'x', dnsNames: ['x'], usage: 'server' });
  const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  const first = await issue();
  await writeFile(files.certFile, first.certPem);
  await writeFile(files.keyFile, first.keyPem);
  const tls = await startServingTls(
    { mode: 'files', ...files, checkIntervalMs: 20 },
    new KubeConfig(),
    () => {},
  );
  t.teardown(() => tls.stop());
  t.same(tls.current, { cert: first.certPem, key: first.keyPem });

  const changed = new Promise<CertificatePair>((resolve) => tls.onChange(resolve));
  const second = await issue();
  await writeFile(files.certFile, second.certPem); // the key still is the old one: not taken
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(tls.current.cert, first.certPem, 'a certificate without its key is not served');
  await writeFile(files.keyFile, second.keyPem);
  // The check timer is unref'd (it never keeps a server alive): wait with a timer of our own.
  while (tls.current.cert !== second.certPem) await new Promise((resolve) => setTimeout(resolve, 20));
  t.same(await changed, { cert: second.certPem, key: second.keyPem });
  t.same(tls.current, { cert: second.certPem, key: second.keyPem });
});
