// Keeps the caBundle of our APIService and of our labelled webhook configurations equal to the
// serving CA bundle: at start, when the bundle rotates, and whenever one of them is (re)applied
// without it (each is watched), as cert-manager's cainjector does.
import type { KubeJson, WatchEventType } from './kube-json.ts';
import { ResilientWatch } from './resilient-watch.ts';

/** Webhook configurations carrying this label (value "true") get the caBundle. */
export const INJECT_CA_BUNDLE_LABEL = 'serverless.kube.io/inject-ca-bundle';

interface Target {
  kind: string;
  collection: string;
  query: Record<string, string>;
  /** JSON Patch paths of every caBundle of the object. */
  caBundlePaths(object: KubeObject): string[];
}

interface KubeObject {
  metadata?: { name?: string; resourceVersion?: string };
  spec?: { caBundle?: string };
  webhooks?: Array<{ clientConfig?: { caBundle?: string } }>;
}

export interface CaBundleInjectorOptions {
  kube: KubeJson;
  apiServiceName: string;
  /** The bundle as stored right now: consulted before overwriting, so a lagging replica never reverts a newer one. */
  readCaBundle: () => Promise<string | undefined>;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

const ADMISSION = '/apis/admissionregistration.k8s.io/v1';

function valueAt(object: KubeObject, path: string): unknown {
  return path
    .split('/')
    .slice(1)
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object);
}

export class CaBundleInjector {
  private bundle: string | undefined;
  private readonly seen = new Map<string, { target: Target; object: KubeObject }>();
  private readonly watches: ResilientWatch[];
  private readonly targets: Target[];

  constructor(private readonly options: CaBundleInjectorOptions) {
    const webhooks = (object: KubeObject) =>
      (object.webhooks ?? []).map((_, index) => `/webhooks/${index}/clientConfig/caBundle`);
    const labelled = { labelSelector: `${INJECT_CA_BUNDLE_LABEL}=true` };
    this.targets = [
      {
        kind: 'APIService',
        collection: '/apis/apiregistration.k8s.io/v1/apiservices',
        query: { fieldSelector: `metadata.name=${options.apiServiceName}` },
        caBundlePaths: () => ['/spec/caBundle'],
      },
      {
        kind: 'MutatingWebhookConfiguration',
        collection: `${ADMISSION}/mutatingwebhookconfigurations`,
        query: labelled,
        caBundlePaths: webhooks,
      },
      {
        kind: 'ValidatingWebhookConfiguration',
        collection: `${ADMISSION}/validatingwebhookconfigurations`,
        query: labelled,
        caBundlePaths: webhooks,
      },
    ];
    this.watches = this.targets.map(
      (target) =>
        new ResilientWatch({
          kube: options.kube,
          path: target.collection,
          query: target.query,
          list: () => this.list(target),
          onEvent: (type, object) => this.observe(target, type, object as KubeObject),
          log: options.log,
        }),
    );
  }

  /** Injects `bundle` everywhere, now and from then on. */
  setBundle(bundle: string): void {
    if (bundle === this.bundle) return;
    this.bundle = bundle;
    for (const { target, object } of this.seen.values()) void this.ensure(target, object);
  }

  async start(): Promise<void> {
    await Promise.all(this.watches.map((watch) => watch.start()));
  }

  stop(): void {
    for (const watch of this.watches) watch.stop();
  }

  private async list(target: Target): Promise<string | undefined> {
    const query = new URLSearchParams(target.query).toString();
    const response = await this.options.kube.request<{
      items?: KubeObject[];
      metadata?: { resourceVersion?: string };
    }>('GET', `${target.collection}?${query}`);
    if (response.status !== 200) throw new Error(`list ${target.kind}: ${response.status}`);
    for (const key of [...this.seen.keys()]) if (key.startsWith(`${target.kind}/`)) this.seen.delete(key);
    for (const object of response.body.items ?? []) this.observe(target, 'ADDED', object);
    return response.body.metadata?.resourceVersion;
  }

  private observe(target: Target, type: WatchEventType, object: KubeObject): void {
    const key = `${target.kind}/${object.metadata?.name}`;
    if (type === 'DELETED') {
      this.seen.delete(key);
      return;
    }
    this.seen.set(key, { target, object });
    void this.ensure(target, object);
  }

  private async ensure(target: Target, object: KubeObject): Promise<void> {
    if (this.bundle === undefined) return;
    const stale = (bundle: string) => {
      const wanted = Buffer.from(bundle).toString('base64');
      return target.caBundlePaths(object).filter((path) => valueAt(object, path) !== wanted);
    };
    if (stale(this.bundle).length === 0) return;
    try {
      // Our bundle may be the stale one (this replica has not seen the Secret change yet).
      const stored = await this.options.readCaBundle();
      if (stored && stored !== this.bundle) this.bundle = stored;
      const paths = stale(this.bundle);
      if (paths.length === 0) return;
      const value = Buffer.from(this.bundle).toString('base64');
      const name = object.metadata?.name ?? '';
      const patch = [
        // Indices into `webhooks` are only right for the version we looked at.
        { op: 'test', path: '/metadata/resourceVersion', value: object.metadata?.resourceVersion },
        ...paths.map((path) => ({ op: 'add', path, value })),
      ];
      const response = await this.options.kube.request(
        'PATCH',
        `${target.collection}/${encodeURIComponent(name)}`,
        patch,
        'application/json-patch+json',
      );
      if (response.status === 200) this.options.log('injected the CA bundle', { kind: target.kind, name });
      // A conflict or failed test means a newer version exists: its watch event brings it here again.
      else if (response.status !== 409 && response.status !== 422) {
        this.options.log('could not inject the CA bundle', {
          kind: target.kind,
          name,
          status: response.status,
        });
      }
    } catch (error) {
      this.options.log('could not inject the CA bundle', {
        kind: target.kind,
        error: (error as Error).message,
      });
    }
  }
}
