// Keeps the caBundle of our APIService and of our labelled webhook configurations equal to the
// serving CA bundle: at start, when the bundle rotates, and whenever one of them is (re)applied
// without it (each kind is watched by an informer), as cert-manager's cainjector does.
import {
  AdmissionregistrationV1Api,
  ApiException,
  ApiregistrationV1Api,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { RestartingInformer, type RestartingInformerOptions } from '../src/util/restarting-informer.ts';

/** Webhook configurations carrying this label (value "true") get the caBundle. */
export const INJECT_CA_BUNDLE_LABEL = 'serverless.kube.io/inject-ca-bundle';

interface KubeObject extends KubernetesObject {
  spec?: { caBundle?: string };
  webhooks?: Array<{ clientConfig?: { caBundle?: string } }>;
}

interface Target {
  kind: string;
  informer: RestartingInformer<KubeObject>;
  /** JSON Patch paths of every caBundle of the object. */
  caBundlePaths(object: KubeObject): string[];
  /** Applies a JSON Patch to the named object. */
  patch(name: string, body: object[]): Promise<unknown>;
}

export interface CaBundleInjectorOptions {
  kubeConfig: KubeConfig;
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
  private readonly targets: Target[];

  constructor(private readonly options: CaBundleInjectorOptions) {
    const { kubeConfig, apiServiceName } = options;
    const registration = kubeConfig.makeApiClient(ApiregistrationV1Api);
    const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const webhookPaths = (object: KubeObject) =>
      (object.webhooks ?? []).map((_, index) => `/webhooks/${index}/clientConfig/caBundle`);
    const labelSelector = `${INJECT_CA_BUNDLE_LABEL}=true`;
    const fieldSelector = `metadata.name=${apiServiceName}`;
    // The generated clients send a patch body as application/json-patch+json, their first choice.
    this.targets = [
      this.target(
        'APIService',
        {
          path: '/apis/apiregistration.k8s.io/v1/apiservices',
          list: () => registration.listAPIService({ fieldSelector }),
          fieldSelector,
        },
        () => ['/spec/caBundle'],
        (name, body) => registration.patchAPIService({ name, body }),
      ),
      this.target(
        'MutatingWebhookConfiguration',
        {
          path: `${ADMISSION}/mutatingwebhookconfigurations`,
          list: () => admission.listMutatingWebhookConfiguration({ labelSelector }),
          labelSelector,
        },
        webhookPaths,
        (name, body) => admission.patchMutatingWebhookConfiguration({ name, body }),
      ),
      this.target(
        'ValidatingWebhookConfiguration',
        {
          path: `${ADMISSION}/validatingwebhookconfigurations`,
          list: () => admission.listValidatingWebhookConfiguration({ labelSelector }),
          labelSelector,
        },
        webhookPaths,
        (name, body) => admission.patchValidatingWebhookConfiguration({ name, body }),
      ),
    ];
  }

  /** A kind to keep injected: every add or update of one of its objects is checked. */
  private target(
    kind: string,
    watch: Pick<RestartingInformerOptions<KubeObject>, 'path' | 'list' | 'labelSelector' | 'fieldSelector'>,
    caBundlePaths: Target['caBundlePaths'],
    patch: Target['patch'],
  ): Target {
    const target = { kind, caBundlePaths, patch } as Target;
    target.informer = new RestartingInformer<KubeObject>(this.options.kubeConfig, {
      ...watch,
      onEvent: (event, object) => {
        if (event !== 'delete') void this.ensure(target, object);
      },
      log: (line) => this.options.log(line),
    });
    return target;
  }

  /** Injects `bundle` everywhere, now and from then on. */
  setBundle(bundle: string): void {
    if (bundle === this.bundle) return;
    this.bundle = bundle;
    this.ensureAll();
  }

  async start(): Promise<void> {
    await Promise.all(this.targets.map((target) => target.informer.start()));
    this.ensureAll();
  }

  private ensureAll(): void {
    for (const target of this.targets) {
      for (const object of target.informer.list()) void this.ensure(target, object);
    }
  }

  stop(): void {
    for (const target of this.targets) void target.informer.stop();
  }

  private async ensure(target: Target, object: KubeObject): Promise<void> {
    if (this.bundle === undefined) return;
    const stale = (bundle: string) => {
      const wanted = Buffer.from(bundle).toString('base64');
      return target.caBundlePaths(object).filter((path) => valueAt(object, path) !== wanted);
    };
    if (stale(this.bundle).length === 0) return;
    const name = object.metadata?.name ?? '';
    try {
      // Our bundle may be the stale one (this replica has not seen the Secret change yet).
      const stored = await this.options.readCaBundle();
      if (stored && stored !== this.bundle) this.bundle = stored;
      const paths = stale(this.bundle);
      if (paths.length === 0) return;
      const value = Buffer.from(this.bundle).toString('base64');
      await target.patch(name, [
        // Indices into `webhooks` are only right for the version we looked at.
        { op: 'test', path: '/metadata/resourceVersion', value: object.metadata?.resourceVersion },
        ...paths.map((path) => ({ op: 'add', path, value })),
      ]);
      this.options.log('injected the CA bundle', { kind: target.kind, name });
    } catch (error) {
      // A conflict or failed test means a newer version exists: its watch event brings it here again.
      const status = error instanceof ApiException ? (error.code as number) : undefined;
      if (status === 409 || status === 422) return;
      this.options.log('could not inject the CA bundle', {
        kind: target.kind,
        name,
        ...(status ? { status } : { error: (error as Error).message }),
      });
    }
  }
}
