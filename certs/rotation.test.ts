import t from 'tap';
import { type CertificateTimes, decide, type Observation, type RotationPolicy } from './rotation.ts';

const DAY = 24 * 60 * 60 * 1000;
const policy: RotationPolicy = { renewFraction: 1 / 3, caOverlapMs: DAY };
const now = Date.UTC(2030, 0, 1);
const times = (issuedDaysAgo: number, lifetimeDays: number): CertificateTimes => ({
  notBefore: now - issuedDaysAgo * DAY,
  notAfter: now + (lifetimeDays - issuedDaysAgo) * DAY,
});
const healthy = (): Observation => ({
  signingCa: times(100, 3650),
  serving: { ...times(10, 90), issuedBySigningCa: true, issuedByTrustedCa: true, namesMatch: true },
  bundleHasSigningCa: true,
  previousCas: [],
});

t.test('a young CA and serving certificate are kept until the serving one is due', async (t) => {
  const decision = decide(healthy(), now, policy);
  t.same(decision, { action: 'keep', nextCheckAt: now + 50 * DAY });
});

t.test('a missing, unusable or expired CA means a new CA', async (t) => {
  t.equal(decide({ ...healthy(), signingCa: undefined }, now, policy).action, 'create-ca');
  t.equal(decide({ ...healthy(), signingCa: times(3650, 3650) }, now, policy).action, 'create-ca');
});

t.test('a CA with less than a third of its lifetime left is renewed', async (t) => {
  t.equal(decide({ ...healthy(), signingCa: times(2500, 3650) }, now, policy).action, 'renew-ca');
  t.equal(decide({ ...healthy(), signingCa: times(2400, 3650) }, now, policy).action, 'keep');
});

t.test('the serving certificate is reissued when due, expired, misnamed, missing or untrusted', async (t) => {
  const serving = healthy().serving!;
  const reissue = (change: Partial<typeof serving> | undefined) =>
    decide({ ...healthy(), serving: change && { ...serving, ...change } }, now, policy).action;
  t.equal(reissue({ ...times(61, 90) }), 'reissue-serving', 'less than a third left');
  t.equal(reissue({ ...times(59, 90) }), 'keep', 'more than a third left');
  t.equal(reissue({ ...times(91, 90) }), 'reissue-serving', 'expired');
  t.equal(reissue({ namesMatch: false }), 'reissue-serving');
  t.equal(reissue({ issuedByTrustedCa: false, issuedBySigningCa: false }), 'reissue-serving');
  t.equal(reissue(undefined), 'reissue-serving');
});

t.test('after a CA renewal the serving certificate waits for the overlap, then moves', async (t) => {
  const renewed: Observation = {
    signingCa: times(0, 3650),
    serving: { ...times(10, 90), issuedBySigningCa: false, issuedByTrustedCa: true, namesMatch: true },
    bundleHasSigningCa: true,
    previousCas: [times(2500, 3650)],
    caRenewedAt: now,
  };
  t.same(decide(renewed, now, policy), { action: 'keep', nextCheckAt: now + DAY }, 'both CAs trusted first');
  const due = { ...renewed, serving: { ...renewed.serving!, ...times(70, 90) } };
  t.equal(decide(due, now, policy).action, 'keep', 'even a due certificate waits for the overlap');
  t.equal(decide(renewed, now + DAY, policy).action, 'reissue-serving', 'then it moves to the new CA');
  const expired = { ...renewed, serving: { ...renewed.serving!, ...times(91, 90) } };
  t.equal(decide(expired, now, policy).action, 'reissue-serving', 'an expired one does not wait');
});

t.test('the previous CA stays trusted one overlap after the move, then leaves the bundle', async (t) => {
  const moved: Observation = {
    signingCa: times(1, 3650),
    serving: { ...times(0, 90), issuedBySigningCa: true, issuedByTrustedCa: true, namesMatch: true },
    bundleHasSigningCa: true,
    previousCas: [times(2500, 3650)],
    caRenewedAt: now - DAY,
  };
  t.same(decide(moved, now, policy), { action: 'keep', nextCheckAt: now + DAY });
  t.match(decide(moved, now + DAY, policy), { action: 'rebuild-bundle', retirePrevious: true });
  const expiredPrevious = { ...moved, previousCas: [times(3650, 3650)] };
  t.match(
    decide(expiredPrevious, now, policy),
    { action: 'rebuild-bundle', retirePrevious: false },
    'an expired CA leaves at once',
  );
  t.equal(decide({ ...moved, bundleHasSigningCa: false }, now, policy).action, 'rebuild-bundle');
});

t.test(
  'a fresh certificate is never due at once (no reissue loop), whatever the clock skew allowance',
  async (t) => {
    const skew = 5 * 60 * 1000;
    const fresh: Observation = {
      signingCa: { notBefore: now - skew, notAfter: now + 3650 * DAY },
      serving: {
        notBefore: now - skew,
        notAfter: now + 60 * 60 * 1000,
        issuedBySigningCa: true,
        issuedByTrustedCa: true,
        namesMatch: true,
      },
      bundleHasSigningCa: true,
      previousCas: [],
    };
    t.equal(decide(fresh, now, policy).action, 'keep');
  },
);
