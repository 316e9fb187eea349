// Keeps the serving CA and certificate in a Secret: creates it when missing (replicas race;
// the loser reads the winner's), carries out rotation decisions with optimistic concurrency, and
// tells listeners when the certificate or CA bundle it should serve and inject changes.
import { ApiException, CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { RestartingInformer } from '../src/util/restarting-informer.ts';
import { decide, type RotationPolicy } from './rotation.ts';
import {
  CA_RENEWED_AT_ANNOTATION,
  carryOut,
  type Lifetimes,
  observe,
  SECRET_KEYS,
  type ServingMaterial,
  type ServingNames,
} from './serving-material.ts';

export interface ServingState {
  cert: string;
  key: string;
  caBundle: string;
}

export interface ServingSecretOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  names: ServingNames;
  lifetimes: Lifetimes;
  policy: RotationPolicy;
  /** Upper bound between checks, whatever the certificates' times say. */
  checkIntervalMs: number;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

/** Steps one reconcile may take (create, renew CA, reissue, rebuild) before it must have settled. */
const MAX_STEPS = 8;
/** setTimeout's limit (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const decode = (value: string | undefined) =>
  value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
const encode = (value: string) => Buffer.from(value).toString('base64');

/** The HTTP status of a failed client-node call, or undefined for any other failure. */
const statusOf = (error: unknown) => (error instanceof ApiException ? (error.code as number) : undefined);

function materialOf(secret: V1Secret): Partial<ServingMaterial> {
  const data = secret.data ?? {};
  return {
    caCert: decode(data[SECRET_KEYS.caCert]),
    caKey: decode(data[SECRET_KEYS.caKey]),
    cert: decode(data[SECRET_KEYS.cert]),
    key: decode(data[SECRET_KEYS.key]),
    caBundle: decode(data[SECRET_KEYS.caBundle]),
    caRenewedAt: secret.metadata?.annotations?.[CA_RENEWED_AT_ANNOTATION],
  };
}

export class ServingSecret {
  current: ServingState | undefined;
  private readonly listeners: Array<(state: ServingState) => void> = [];
  private readonly informer: RestartingInformer<V1Secret>;
  private readonly core: CoreV1Api;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError: string | undefined;
  private started = false;

  constructor(private readonly options: ServingSecretOptions) {
    const { kubeConfig, namespace, name, log } = options;
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    // Every change of the Secret (a rotation by another replica, a deletion) means a check.
    const fieldSelector = `metadata.name=${name}`;
    this.informer = new RestartingInformer(kubeConfig, {
      path: `/api/v1/namespaces/${namespace}/secrets`,
      list: () => this.core.listNamespacedSecret({ namespace, fieldSelector }),
      fieldSelector,
      // The first list's events are left to start(), which checks once after it.
      onEvent: () => {
        if (this.started) void this.reconcile();
      },
      log: (line) => log(line),
    });
  }

  onChange(listener: (state: ServingState) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once the Secret holds a usable certificate (creating it if needed), then watches. */
  async start(): Promise<ServingState> {
    await this.informer.start();
    this.started = true;
    await this.reconcile();
    if (!this.current)
      throw new Error(
        `secret ${this.options.namespace}/${this.options.name} has no usable certificate` +
          (this.lastError ? `: ${this.lastError}` : ''),
      );
    return this.current;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    void this.informer.stop();
  }

  /** The CA bundle stored in the Secret right now (read, not cached). */
  async readCaBundle(): Promise<string | undefined> {
    const secret = await this.read();
    return secret && materialOf(secret).caBundle;
  }

  /** Runs a check now, or right after the one in progress. */
  reconcile(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.settle();
        } catch (error) {
          this.lastError = (error as Error).message;
          this.options.log('serving certificate check failed', { error: this.lastError });
          this.schedule(Date.now() + 10_000);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async read(): Promise<V1Secret | undefined> {
    const { namespace, name } = this.options;
    try {
      return await this.core.readNamespacedSecret({ namespace, name });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Creates or replaces the Secret; false when another writer got there first (409). */
  private async write(body: V1Secret, replace: boolean): Promise<boolean> {
    const { namespace, name } = this.options;
    try {
      if (replace) await this.core.replaceNamespacedSecret({ namespace, name, body });
      else await this.core.createNamespacedSecret({ namespace, body });
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  private secretBody(material: ServingMaterial, resourceVersion?: string): V1Secret {
    const { namespace, name } = this.options;
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: {
        name,
        namespace,
        resourceVersion,
        labels: {
          'app.kubernetes.io/name': 'kube-serverless',
          'app.kubernetes.io/component': 'serving-certificate',
        },
        annotations: material.caRenewedAt ? { [CA_RENEWED_AT_ANNOTATION]: material.caRenewedAt } : {},
      },
      data: {
        [SECRET_KEYS.caCert]: encode(material.caCert),
        [SECRET_KEYS.caKey]: encode(material.caKey),
        [SECRET_KEYS.cert]: encode(material.cert),
        [SECRET_KEYS.key]: encode(material.key),
        [SECRET_KEYS.caBundle]: encode(material.caBundle),
      },
    };
  }

  /** Reads, decides and writes until the Secret needs nothing more, then schedules the next check. */
  private async settle(): Promise<void> {
    const { names, lifetimes, policy, log } = this.options;
    for (let step = 0; step < MAX_STEPS && !this.stopped; step++) {
      const secret = await this.read();
      if (!secret) {
        const material = await carryOut({ action: 'create-ca', reason: 'no Secret' }, {}, names, lifetimes);
        if (await this.write(this.secretBody(material), false))
          log('created the serving certificate secret', { name: this.options.name });
        continue; // created, or another replica won the race: read what is there now
      }
      const material = materialOf(secret);
      const decision = decide(observe(material, names), Date.now(), policy);
      this.publish(material);
      if (decision.action === 'keep') {
        this.schedule(decision.nextCheckAt);
        return;
      }
      const next = await carryOut(decision, material, names, lifetimes);
      const body = this.secretBody(next, secret.metadata?.resourceVersion);
      if (await this.write(body, true))
        log('serving certificates changed', { action: decision.action, reason: decision.reason });
    }
    if (!this.stopped) throw new Error(`the serving certificate did not settle in ${MAX_STEPS} steps`);
  }

  /** Serves what the Secret holds whenever it is a complete pair (rotation replaces it anyway). */
  private publish(material: Partial<ServingMaterial>): void {
    const { cert, key, caBundle } = material;
    if (!cert || !key || !caBundle) return;
    const usable = observe(material, this.options.names).serving;
    if (!usable || Date.now() >= usable.notAfter) return;
    const current = this.current;
    if (current && current.cert === cert && current.key === key && current.caBundle === caBundle) return;
    this.current = { cert, key, caBundle };
    for (const listener of this.listeners) listener(this.current);
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    // A second late, so that the time the decision named has certainly passed.
    const delay = Math.min(Math.max(at - Date.now() + 1000, 0), this.options.checkIntervalMs, MAX_TIMER_MS);
    this.timer = setTimeout(() => void this.reconcile(), delay);
    this.timer.unref();
  }
}
