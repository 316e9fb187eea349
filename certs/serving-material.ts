// The serving CA and certificate as stored in the Secret: reading them into an Observation for the
// rotation decision, and carrying out a decision into the next contents.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { issuedBy } from './inspect.ts';
import { createCertificateAuthority, issueCertificate } from './pki.ts';
import type { CertificateTimes, Decision, Observation } from './rotation.ts';

/** Keys of the Secret (type kubernetes.io/tls). */
export const SECRET_KEYS = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  cert: 'tls.crt',
  key: 'tls.key',
  /** Every CA clients must trust: the signing one, plus the previous one during a renewal. */
  caBundle: 'ca-bundle.crt',
} as const;
/** When the signing CA replaced the previous one (ISO time), on the Secret. */
export const CA_RENEWED_AT_ANNOTATION = 'serverless.kube.io/ca-renewed-at';

export interface ServingMaterial {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  caBundle: string;
  caRenewedAt?: string;
}

export interface ServingNames {
  dnsNames: string[];
  ipAddresses: string[];
}

export interface Lifetimes {
  caDays: number;
  servingDays: number;
}

/** `<service>.<namespace>.svc` and `.svc.cluster.local`, plus extra DNS names and IP addresses. */
export function servingNames(service: string, namespace: string, extra: string[] = []): ServingNames {
  const svc = `${service}.${namespace}.svc`;
  return {
    dnsNames: [svc, `${svc}.cluster.local`, ...extra.filter((name) => isIP(name) === 0)],
    ipAddresses: extra.filter((name) => isIP(name) !== 0),
  };
}

export function splitPemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function parse(pem: string | undefined): X509Certificate | undefined {
  if (!pem) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function matchesKey(cert: X509Certificate, keyPem: string | undefined): boolean {
  if (!keyPem) return false;
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

function timesOf(cert: X509Certificate): CertificateTimes {
  return { notBefore: Date.parse(cert.validFrom), notAfter: Date.parse(cert.validTo) };
}

/** The SAN entries of a certificate, as Node prints them (`DNS:x`, `IP Address:y`). */
function sanEntries(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '').split(', ').filter(Boolean).sort();
}

function wantedSanEntries(names: ServingNames): string[] {
  return [
    ...names.dnsNames.map((name) => `DNS:${name}`),
    ...names.ipAddresses.map((ip) => `IP Address:${ip}`),
  ].sort();
}

export function observe(material: Partial<ServingMaterial>, names: ServingNames): Observation {
  const ca = parse(material.caCert);
  const signingCa = ca && matchesKey(ca, material.caKey) && ca.ca ? ca : undefined;
  const bundle = splitPemCertificates(material.caBundle ?? '')
    .map(parse)
    .filter((cert) => cert !== undefined);
  const isSigning = (cert: X509Certificate) =>
    signingCa !== undefined && cert.fingerprint256 === signingCa.fingerprint256;
  const serving = parse(material.cert);
  const usableServing = serving && matchesKey(serving, material.key) ? serving : undefined;
  const renewedAt = material.caRenewedAt ? Date.parse(material.caRenewedAt) : Number.NaN;
  return {
    signingCa: signingCa && timesOf(signingCa),
    serving: usableServing && {
      ...timesOf(usableServing),
      issuedBySigningCa: signingCa !== undefined && issuedBy(usableServing, signingCa),
      issuedByTrustedCa: bundle.some((trusted) => issuedBy(usableServing, trusted)),
      namesMatch: sanEntries(usableServing).join('\n') === wantedSanEntries(names).join('\n'),
    },
    bundleHasSigningCa: bundle.some(isSigning),
    previousCas: bundle.filter((cert) => !isSigning(cert)).map(timesOf),
    caRenewedAt: Number.isNaN(renewedAt) ? undefined : renewedAt,
  };
}

async function issueServing(caCert: string, caKey: string, names: ServingNames, lifetimes: Lifetimes) {
  return issueCertificate(
    { commonName: '', certPem: caCert, keyPem: caKey },
    {
      commonName: names.dnsNames[0]!,
      dnsNames: names.dnsNames,
      ipAddresses: names.ipAddresses,
      usage: 'server',
      validityDays: lifetimes.servingDays,
    },
  );
}

async function newCa(lifetimes: Lifetimes, now: Date) {
  // A distinct name per generation: issuer names tell old and new CA apart in logs and chains.
  return createCertificateAuthority(
    `kube-serverless-serving-ca@${Math.floor(now.getTime() / 1000)}`,
    lifetimes.caDays,
  );
}

/** The CAs of the bundle still worth trusting: the signing one first, then unexpired others. */
function rebuiltBundle(material: ServingMaterial, now: number, dropPrevious: boolean): string {
  const signing = parse(material.caCert)!;
  const others = splitPemCertificates(material.caBundle)
    .map(parse)
    .filter((cert) => cert !== undefined)
    .filter((cert) => cert.fingerprint256 !== signing.fingerprint256 && Date.parse(cert.validTo) > now);
  const kept = dropPrevious ? [] : others;
  return [signing, ...kept]
    .map((cert) => cert.toString().trim())
    .join('\n')
    .concat('\n');
}

/** The Secret's next contents after carrying out `decision` (which must not be `keep`). */
export async function carryOut(
  decision: Exclude<Decision, { action: 'keep' }>,
  current: Partial<ServingMaterial>,
  names: ServingNames,
  lifetimes: Lifetimes,
  now = new Date(),
): Promise<ServingMaterial> {
  switch (decision.action) {
    case 'create-ca': {
      const ca = await newCa(lifetimes, now);
      const serving = await issueServing(ca.certPem, ca.keyPem, names, lifetimes);
      return {
        caCert: ca.certPem,
        caKey: ca.keyPem,
        cert: serving.certPem,
        key: serving.keyPem,
        caBundle: ca.certPem,
      };
    }
    case 'renew-ca': {
      // The serving certificate stays until the overlap ends; the old CA stays in the bundle.
      const ca = await newCa(lifetimes, now);
      const old = current as ServingMaterial;
      return {
        ...old,
        caCert: ca.certPem,
        caKey: ca.keyPem,
        caBundle: `${ca.certPem.trim()}\n${old.caCert.trim()}\n`,
        caRenewedAt: now.toISOString(),
      };
    }
    case 'reissue-serving': {
      const old = current as ServingMaterial;
      const serving = await issueServing(old.caCert, old.caKey, names, lifetimes);
      const material = { ...old, cert: serving.certPem, key: serving.keyPem };
      return { ...material, caBundle: rebuiltBundle(material, now.getTime(), false) };
    }
    case 'rebuild-bundle': {
      const old = current as ServingMaterial;
      return { ...old, caBundle: rebuiltBundle(old, now.getTime(), decision.retirePrevious) };
    }
  }
}
