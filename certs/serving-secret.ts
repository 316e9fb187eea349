// Keeps the serving CA and certificate in a Secret: creates it when missing (replicas race;
// the loser reads the winner's), carries out rotation decisions with optimistic concurrency, and
// tells listeners when the certificate or CA bundle it should serve and inject changes.
import type { KubeJson } from './kube-json.ts';
import { KubeRequestError } from './kube-json.ts';
import { ResilientWatch } from './resilient-watch.ts';
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
  kube: KubeJson;
  namespace: string;
  name: string;
  names: ServingNames;
  lifetimes: Lifetimes;
  policy: RotationPolicy;
  /** Upper bound between checks, whatever the certificates' times say. */
  checkIntervalMs: number;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

interface SecretObject {
  metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
}

/** Steps one reconcile may take (create, renew CA, reissue, rebuild) before it must have settled. */
const MAX_STEPS = 8;
/** setTimeout's limit (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const decode = (value: string | undefined) =>
  value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
const encode = (value: string) => Buffer.from(value).toString('base64');

function materialOf(secret: SecretObject): Partial<ServingMaterial> {
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
  private readonly watch: ResilientWatch;
  private readonly path: string;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError: string | undefined;

  constructor(private readonly options: ServingSecretOptions) {
    this.path = `/api/v1/namespaces/${options.namespace}/secrets`;
    this.watch = new ResilientWatch({
      kube: options.kube,
      path: this.path,
      query: { fieldSelector: `metadata.name=${options.name}` },
      list: () => this.listAndReconcile(),
      onEvent: () => void this.reconcile(),
      log: options.log,
    });
  }

  onChange(listener: (state: ServingState) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once the Secret holds a usable certificate (creating it if needed), then watches. */
  async start(): Promise<ServingState> {
    await this.watch.start();
    if (!this.current)
      throw new Error(`secret ${this.options.namespace}/${this.options.name} has no usable certificate`);
    return this.current;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.watch.stop();
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

  private async listAndReconcile(): Promise<string | undefined> {
    const { kube, name } = this.options;
    const list = await kube.request<{ metadata?: { resourceVersion?: string } }>(
      'GET',
      `${this.path}?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`,
    );
    if (list.status !== 200) throw new KubeRequestError('list secrets', list.status, list.body);
    await this.reconcile();
    return list.body.metadata?.resourceVersion;
  }

  private async read(): Promise<SecretObject | undefined> {
    const response = await this.options.kube.request<SecretObject>(
      'GET',
      `${this.path}/${this.options.name}`,
    );
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw new KubeRequestError('read secret', response.status, response.body);
    return response.body;
  }

  private secretBody(material: ServingMaterial, resourceVersion?: string) {
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
    const { kube, names, lifetimes, policy, log } = this.options;
    for (let step = 0; step < MAX_STEPS && !this.stopped; step++) {
      const secret = await this.read();
      if (!secret) {
        const material = await carryOut({ action: 'create-ca', reason: 'no Secret' }, {}, names, lifetimes);
        const created = await kube.request('POST', this.path, this.secretBody(material));
        if (created.status === 201)
          log('created the serving certificate secret', { name: this.options.name });
        else if (created.status !== 409)
          throw new KubeRequestError('create secret', created.status, created.body);
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
      const updated = await kube.request('PUT', `${this.path}/${this.options.name}`, body);
      if (updated.status === 200)
        log('serving certificates changed', { action: decision.action, reason: decision.reason });
      else if (updated.status !== 409)
        throw new KubeRequestError('update secret', updated.status, updated.body);
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
