// The serving certificate the server presents, kept current: from the managed Secret (with CA
// bundle injection) or from files someone else renews (re-read periodically).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { CaBundleInjector } from './ca-bundle-injector.ts';
import { ServingSecret } from './serving-secret.ts';
import type { TlsSettings } from './settings.ts';

export interface CertificatePair {
  cert: string;
  key: string;
}

export interface ServingTls {
  current: CertificatePair;
  onChange(listener: (pair: CertificatePair) => void): void;
  stop(): void;
}

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export async function startServingTls(
  settings: TlsSettings,
  kubeConfig: KubeConfig,
  log: Log,
): Promise<ServingTls> {
  return settings.mode === 'files' ? fromFiles(settings, log) : fromSecret(settings, kubeConfig, log);
}

async function fromFiles(settings: Extract<TlsSettings, { mode: 'files' }>, log: Log): Promise<ServingTls> {
  const read = async () => ({
    cert: await readFile(settings.certFile, 'utf8'),
    key: await readFile(settings.keyFile, 'utf8'),
  });
  const listeners: Array<(pair: CertificatePair) => void> = [];
  const tls: ServingTls = {
    current: await read(),
    onChange: (listener) => listeners.push(listener),
    stop: () => clearInterval(timer),
  };
  const timer = setInterval(async () => {
    try {
      const pair = await read();
      if (pair.cert === tls.current.cert && pair.key === tls.current.key) return;
      // A renewal caught half-written (new certificate, old key) is taken at the next check.
      if (!new X509Certificate(pair.cert).checkPrivateKey(createPrivateKey(pair.key))) return;
      tls.current = pair;
      log('serving certificate files changed');
      for (const listener of listeners) listener(pair);
    } catch (error) {
      log('could not re-read the serving certificate files', { error: (error as Error).message });
    }
  }, settings.checkIntervalMs);
  timer.unref();
  return tls;
}

async function fromSecret(
  settings: Extract<TlsSettings, { mode: 'secret' }>,
  kubeConfig: KubeConfig,
  log: Log,
): Promise<ServingTls> {
  const secret = new ServingSecret({
    kubeConfig,
    namespace: settings.namespace,
    name: settings.secretName,
    names: settings.names,
    lifetimes: settings.lifetimes,
    policy: settings.policy,
    checkIntervalMs: settings.checkIntervalMs,
    log,
  });
  const injector = settings.injectCaBundle
    ? new CaBundleInjector({
        kubeConfig,
        apiServiceName: settings.apiServiceName,
        readCaBundle: () => secret.readCaBundle(),
        log,
      })
    : undefined;
  const listeners: Array<(pair: CertificatePair) => void> = [];
  let current: CertificatePair | undefined;
  // Registered before the first read, so no change between start and use goes unseen.
  secret.onChange((state) => {
    injector?.setBundle(state.caBundle);
    if (current && state.cert === current.cert && state.key === current.key) return;
    const first = current === undefined;
    current = { cert: state.cert, key: state.key };
    if (first) return;
    log('serving a new certificate');
    for (const listener of listeners) listener(current);
  });
  await secret.start();
  await injector?.start();
  return {
    get current() {
      return current!;
    },
    onChange: (listener) => listeners.push(listener),
    stop: () => {
      secret.stop();
      injector?.stop();
    },
  };
}
