// The cluster state admission reads: Mutating- and ValidatingWebhookConfigurations and
// Namespaces through informers (each restarted after a failure), and Services (for ExternalName)
// on demand with a short cache.
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1MutatingWebhookConfiguration,
  type V1Namespace,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { RestartingInformer } from '../../src/util/restarting-informer.ts';
import type { Labels } from './label-selector.ts';
import { inChainOrder, type Webhook, webhooksOf } from './webhooks.ts';

const SERVICE_CACHE_MS = 10_000;
const ADMISSION = '/apis/admissionregistration.k8s.io/v1';

export class AdmissionConfigSource {
  /** Mutating and validating webhooks, each list in chain order. */
  mutating: Webhook[] = [];
  validating: Webhook[] = [];
  private readonly mutatingConfigs: RestartingInformer<V1MutatingWebhookConfiguration>;
  private readonly validatingConfigs: RestartingInformer<V1ValidatingWebhookConfiguration>;
  private readonly namespaces: RestartingInformer<V1Namespace>;
  private readonly core: CoreV1Api;
  private readonly services = new Map<string, { at: number; host: Promise<string | undefined> }>();

  constructor(kubeConfig: KubeConfig, log: (line: string) => void = () => {}) {
    const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    const onEvent = () => this.rebuild();
    this.mutatingConfigs = new RestartingInformer(kubeConfig, {
      path: `${ADMISSION}/mutatingwebhookconfigurations`,
      list: () => admission.listMutatingWebhookConfiguration(),
      onEvent,
      log,
    });
    this.validatingConfigs = new RestartingInformer(kubeConfig, {
      path: `${ADMISSION}/validatingwebhookconfigurations`,
      list: () => admission.listValidatingWebhookConfiguration(),
      onEvent,
      log,
    });
    this.namespaces = new RestartingInformer(kubeConfig, {
      path: '/api/v1/namespaces',
      list: () => this.core.listNamespace(),
      log,
    });
  }

  private get informers() {
    return [this.mutatingConfigs, this.validatingConfigs, this.namespaces];
  }

  /** Resolves once every informer has listed (the server is not ready before). */
  async start(): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.start()));
    this.rebuild();
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.stop()));
  }

  private rebuild(): void {
    this.mutating = inChainOrder(this.mutatingConfigs.list().flatMap((c) => webhooksOf('mutating', c)));
    this.validating = inChainOrder(this.validatingConfigs.list().flatMap((c) => webhooksOf('validating', c)));
  }

  /** A namespace's labels from the cache, or read live when the cache has not seen it yet. */
  async namespaceLabels(name: string): Promise<Labels> {
    const cached = this.namespaces.get(name);
    if (cached) return cached.metadata?.labels ?? {};
    try {
      return (await this.core.readNamespace({ name })).metadata?.labels ?? {};
    } catch {
      return {};
    }
  }

  /** An ExternalName Service's host; undefined for any other Service (`<name>.<ns>.svc`). */
  resolveService = (namespace: string, name: string): Promise<string | undefined> => {
    const key = `${namespace}/${name}`;
    const hit = this.services.get(key);
    if (hit && Date.now() - hit.at < SERVICE_CACHE_MS) return hit.host;
    const host = this.core
      .readNamespacedService({ namespace, name })
      .then((service) => (service.spec?.type === 'ExternalName' ? service.spec.externalName : undefined))
      .catch(() => undefined);
    this.services.set(key, { at: Date.now(), host });
    return host;
  };
}
