// The cluster state admission reads: Mutating- and ValidatingWebhookConfigurations and
// Namespaces through client-node informers (each restarted after a failure), and Services
// (for ExternalName) on demand with a short cache.
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
  type V1MutatingWebhookConfiguration,
  type V1Namespace,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { Labels } from './label-selector.ts';
import { inChainOrder, type Webhook, webhooksOf } from './webhooks.ts';

const RESTART_DELAY_MS = 1_000;
const SERVICE_CACHE_MS = 10_000;

type Cached<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export class AdmissionConfigSource {
  /** Mutating and validating webhooks, each list in chain order. */
  mutating: Webhook[] = [];
  validating: Webhook[] = [];
  private readonly informers: Array<Cached<KubernetesObject>> = [];
  private readonly mutatingConfigs: Cached<V1MutatingWebhookConfiguration>;
  private readonly validatingConfigs: Cached<V1ValidatingWebhookConfiguration>;
  private readonly namespaces: Cached<V1Namespace>;
  private readonly core: CoreV1Api;
  private readonly services = new Map<string, { at: number; host: Promise<string | undefined> }>();
  private stopped = false;

  constructor(
    kubeConfig: KubeConfig,
    private readonly log: (line: string) => void = () => {},
  ) {
    const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.mutatingConfigs = makeInformer(
      kubeConfig,
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
      () => admission.listMutatingWebhookConfiguration(),
    );
    this.validatingConfigs = makeInformer(
      kubeConfig,
      '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
      () => admission.listValidatingWebhookConfiguration(),
    );
    this.namespaces = makeInformer(kubeConfig, '/api/v1/namespaces', () => this.core.listNamespace());
    this.informers.push(
      this.mutatingConfigs as Cached<KubernetesObject>,
      this.validatingConfigs as Cached<KubernetesObject>,
      this.namespaces as Cached<KubernetesObject>,
    );
  }

  /** Resolves once every informer has listed (the server is not ready before). */
  async start(): Promise<void> {
    const rebuild = () => this.rebuild();
    for (const informer of [this.mutatingConfigs, this.validatingConfigs] as Cached<KubernetesObject>[]) {
      for (const event of ['add', 'update', 'delete'] as const) informer.on(event, rebuild);
    }
    for (const informer of this.informers) {
      informer.on('error', (error) => {
        if (this.stopped) return;
        this.log(`admission informer failed, restarting: ${error instanceof Error ? error.message : error}`);
        setTimeout(() => {
          if (!this.stopped) informer.start().catch(() => {});
        }, RESTART_DELAY_MS).unref();
      });
    }
    await Promise.all(this.informers.map((informer) => informer.start()));
    this.rebuild();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.informers.map((informer) => informer.stop().catch(() => {})));
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
