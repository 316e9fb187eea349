import { X509Certificate } from 'node:crypto';
import t from 'tap';
import { certificateProblem } from './inspect.ts';
import { createCertificateAuthority, issueCertificate } from './pki.ts';

t.test('issues a serving certificate chained to its CA with the requested names', async (t) => {
  const ca = await createCertificateAuthority('test-ca');
  const leaf = await issueCertificate(ca, {
    commonName: 'api.default.svc',
    dnsNames: ['api.default.svc', 'localhost'],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  const cert = new X509Certificate(leaf.certPem);
  t.equal(cert.subject, 'CN=api.default.svc');
  t.match(cert.subjectAltName, /DNS:api\.default\.svc/);
  t.match(cert.subjectAltName, /IP Address:127\.0\.0\.1/);
  t.equal(certificateProblem(leaf.certPem, ca.certPem), undefined);
  t.match(leaf.keyPem, /BEGIN PRIVATE KEY/);
});

t.test('client certificates carry organizations as groups', async (t) => {
  const ca = await createCertificateAuthority('test-ca');
  const leaf = await issueCertificate(ca, {
    commonName: 'admin',
    organizations: ['system:masters'],
    usage: 'client',
  });
  t.equal(new X509Certificate(leaf.certPem).subject, 'CN=admin\nO=system:masters');
});

t.test('reports certificates of another CA, expiring ones and garbage', async (t) => {
  const ca = await createCertificateAuthority('ca-1');
  const other = await createCertificateAuthority('ca-2');
  const leaf = await issueCertificate(ca, { commonName: 'x', usage: 'client', validityDays: 10 });
  t.match(certificateProblem(leaf.certPem, other.certPem), /not signed by/);
  t.match(certificateProblem(leaf.certPem, ca.certPem, 30), /expires/);
  t.match(certificateProblem('garbage', ca.certPem), /unreadable/);
});
