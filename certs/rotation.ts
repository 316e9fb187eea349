// When the serving CA and certificate must change: a pure decision from certificate times and
// the clock, applied one step at a time by the Secret's keeper until it answers `keep`.
//
// A new CA is trusted before it signs: it enters the CA bundle at once, and the serving
// certificate moves to it only after `caOverlapMs`, once every client has been given a bundle
// with both. The previous CA leaves the bundle one more overlap after the serving certificate
// moved (or when it expires).

export interface CertificateTimes {
  notBefore: number;
  notAfter: number;
}

export interface ServingObservation extends CertificateTimes {
  /** Signed by the CA that signs today (ca.crt). */
  issuedBySigningCa: boolean;
  /** Signed by some CA of the bundle (the signing one or the previous one). */
  issuedByTrustedCa: boolean;
  /** Its DNS names and IP addresses are exactly the wanted ones. */
  namesMatch: boolean;
}

export interface Observation {
  /** The signing CA with its key; undefined when missing, unreadable or not matching its key. */
  signingCa?: CertificateTimes;
  /** The serving certificate with its key; undefined when missing, unreadable or mismatched. */
  serving?: ServingObservation;
  /** Whether the stored bundle holds the signing CA. */
  bundleHasSigningCa: boolean;
  /** CAs of the stored bundle other than the signing one. */
  previousCas: CertificateTimes[];
  /** When the signing CA replaced the previous one, if it did. */
  caRenewedAt?: number;
}

export interface RotationPolicy {
  /** Renew a certificate once less than this fraction of its lifetime is left (e.g. 1/3). */
  renewFraction: number;
  /** How long a new CA is trusted before it signs the serving certificate. */
  caOverlapMs: number;
}

export type Decision =
  | { action: 'create-ca'; reason: string }
  | { action: 'renew-ca'; reason: string }
  | { action: 'reissue-serving'; reason: string }
  /** Drops expired CAs, all previous ones when `retirePrevious`, and adds the signing one. */
  | { action: 'rebuild-bundle'; reason: string; retirePrevious: boolean }
  | { action: 'keep'; nextCheckAt: number };

/** When a certificate is due for renewal under the policy. */
export function renewalTime(cert: CertificateTimes, policy: RotationPolicy): number {
  return cert.notAfter - policy.renewFraction * (cert.notAfter - cert.notBefore);
}

export function decide(observed: Observation, now: number, policy: RotationPolicy): Decision {
  const { signingCa, serving } = observed;
  if (!signingCa) return { action: 'create-ca', reason: 'no usable CA' };
  if (now >= signingCa.notAfter) return { action: 'create-ca', reason: 'the CA has expired' };
  if (now >= renewalTime(signingCa, policy))
    return { action: 'renew-ca', reason: 'the CA is due for renewal' };

  if (!serving) return { action: 'reissue-serving', reason: 'no usable serving certificate' };
  if (!serving.issuedByTrustedCa) return { action: 'reissue-serving', reason: 'issued by an untrusted CA' };
  if (now >= serving.notAfter)
    return { action: 'reissue-serving', reason: 'the serving certificate expired' };
  if (!serving.namesMatch) return { action: 'reissue-serving', reason: 'its names are not the wanted ones' };

  const overlapEnd = observed.caRenewedAt === undefined ? now : observed.caRenewedAt + policy.caOverlapMs;
  const waitingForOverlap = !serving.issuedBySigningCa && now < overlapEnd;
  if (!waitingForOverlap) {
    if (!serving.issuedBySigningCa) return { action: 'reissue-serving', reason: 'moving to the new CA' };
    if (now >= renewalTime(serving, policy)) return { action: 'reissue-serving', reason: 'due for renewal' };
  }

  const retireAt = (observed.caRenewedAt ?? Number.NEGATIVE_INFINITY) + 2 * policy.caOverlapMs;
  const retirePrevious = serving.issuedBySigningCa && now >= retireAt;
  const previousToDrop = observed.previousCas.filter((ca) => now >= ca.notAfter || retirePrevious);
  if (!observed.bundleHasSigningCa || previousToDrop.length > 0) {
    return {
      action: 'rebuild-bundle',
      reason: 'the bundle holds a retired CA or lacks the signing one',
      retirePrevious,
    };
  }

  const upcoming = [renewalTime(signingCa, policy), signingCa.notAfter, serving.notAfter];
  upcoming.push(waitingForOverlap ? overlapEnd : renewalTime(serving, policy));
  for (const ca of observed.previousCas) upcoming.push(ca.notAfter, retireAt);
  return { action: 'keep', nextCheckAt: Math.min(...upcoming) };
}
