// Checks that stored certificates are still fit for use before they are reused.
import { X509Certificate } from 'node:crypto';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Why a certificate must be replaced, or undefined when it can be reused. */
export function certificateProblem(
  certPem: string,
  caPem: string,
  minRemainingDays = 30,
): string | undefined {
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
    ca = new X509Certificate(caPem);
  } catch (error) {
    return `unreadable certificate: ${(error as Error).message}`;
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return `not signed by ${ca.subject}`;
  const remainingMs = Date.parse(cert.validTo) - Date.now();
  if (remainingMs < minRemainingDays * DAY_MS) return `expires ${cert.validTo}`;
  return undefined;
}

/** True when the certificate was issued by the CA and its signature verifies. */
export function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}
