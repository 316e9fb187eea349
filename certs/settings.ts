// How the server gets its serving certificate, from the environment:
//   KS_TLS_CERT_FILE + KS_TLS_KEY_FILE   files managed by someone else (cert-manager, a mounted
//                                        Secret): re-read periodically, no Secret, no injection
//   otherwise the server keeps them in a Secret and injects the CA bundle:
//   KS_NAMESPACE (kube-serverless)        namespace of the Secret and the Service
//   KS_TLS_SECRET (kube-serverless-tls)   the Secret's name
//   KS_SERVICE_NAME (kube-serverless-api) the Service the certificate is for
//   KS_TLS_EXTRA_NAMES ("")               more DNS names and IP addresses, comma-separated
//   KS_TLS_CA_DAYS (3650), KS_TLS_SERVING_DAYS (90)   lifetimes, renewed with a third left
//   KS_TLS_CA_OVERLAP_SECONDS (3600)      a new CA is trusted this long before it signs
//   KS_TLS_CHECK_SECONDS (3600)           longest time between checks
//   KS_APISERVICE (v1.serverless.kube.io) the APIService whose caBundle is kept current
//   KS_TLS_INJECT_CA_BUNDLE (true)        "false" leaves caBundles to someone else
import type { RotationPolicy } from './rotation.ts';
import { type Lifetimes, type ServingNames, servingNames } from './serving-material.ts';

export type TlsSettings =
  | { mode: 'files'; certFile: string; keyFile: string; checkIntervalMs: number }
  | {
      mode: 'secret';
      namespace: string;
      secretName: string;
      names: ServingNames;
      lifetimes: Lifetimes;
      policy: RotationPolicy;
      checkIntervalMs: number;
      apiServiceName: string;
      injectCaBundle: boolean;
    };

const RENEW_FRACTION = 1 / 3;
/** A certificate younger than this is renewed only by mistake (see ADR 0721). */
const MIN_SERVING_DAYS = 1 / 24;

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${raw}`);
  return value;
}

export function tlsSettings(env: NodeJS.ProcessEnv): TlsSettings {
  const checkIntervalMs = positive(env, 'KS_TLS_CHECK_SECONDS', 3600) * 1000;
  const certFile = env.KS_TLS_CERT_FILE;
  const keyFile = env.KS_TLS_KEY_FILE;
  if (certFile || keyFile) {
    if (!certFile || !keyFile) throw new Error('KS_TLS_CERT_FILE and KS_TLS_KEY_FILE go together');
    return { mode: 'files', certFile, keyFile, checkIntervalMs };
  }
  const namespace = env.KS_NAMESPACE || 'kube-serverless';
  const lifetimes = {
    caDays: positive(env, 'KS_TLS_CA_DAYS', 3650),
    servingDays: positive(env, 'KS_TLS_SERVING_DAYS', 90),
  };
  if (lifetimes.servingDays < MIN_SERVING_DAYS)
    throw new Error('KS_TLS_SERVING_DAYS must be at least one hour');
  // A serving certificate must never outlive its CA: the CA is renewed with a third of its life left.
  if (lifetimes.servingDays > lifetimes.caDays * RENEW_FRACTION) {
    throw new Error('KS_TLS_SERVING_DAYS must be at most a third of KS_TLS_CA_DAYS');
  }
  const extra = (env.KS_TLS_EXTRA_NAMES ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return {
    mode: 'secret',
    namespace,
    secretName: env.KS_TLS_SECRET || 'kube-serverless-tls',
    names: servingNames(env.KS_SERVICE_NAME || 'kube-serverless-api', namespace, extra),
    lifetimes,
    policy: {
      renewFraction: RENEW_FRACTION,
      caOverlapMs: positive(env, 'KS_TLS_CA_OVERLAP_SECONDS', 3600) * 1000,
    },
    checkIntervalMs,
    apiServiceName: env.KS_APISERVICE || 'v1.serverless.kube.io',
    injectCaBundle: env.KS_TLS_INJECT_CA_BUNDLE !== 'false',
  };
}
