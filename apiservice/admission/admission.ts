// The admission interface the REST handlers use, and its webhook implementation. plan() is the
// cheap question asked of every write (rules and namespaceSelector against cached
// configurations): when no webhook can match, the write takes its fast path untouched.
import type { KubeConfig } from '@kubernetes/client-node';
import { KIND } from '../../src/api/constants.ts';
import { validateSchema } from '../../src/api/validation.ts';
import { invalid } from '../errors.ts';
import { AdmissionChain, type ChainResult } from './chain.ts';
import { AdmissionConfigSource } from './config-source.ts';
import { namespaceMatches, type RequestAttributes, rulesMatch } from './matching.ts';
import type { AdmissionAttributes } from './review.ts';
import type { Webhook } from './webhooks.ts';

export interface AdmissionPlan {
  /** Runs the chain on the write's objects; throws a StatusError when it is refused. */
  run(attrs: AdmissionAttributes): Promise<ChainResult>;
}

export interface Admission {
  /** The chain for this request, or undefined when no webhook can match it (fast path). */
  plan(request: RequestAttributes): Promise<AdmissionPlan | undefined>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export const NO_ADMISSION: Admission = { plan: async () => undefined };

/** kube-apiserver validates a Function (not a Scale) between the mutating and validating phases. */
export function validateFunction(attrs: AdmissionAttributes): void {
  if (attrs.kind.kind !== KIND) return;
  const errors = validateSchema(attrs.object);
  if (errors.length) throw invalid(attrs.name, errors);
}

export class WebhookAdmission implements Admission {
  private readonly source: AdmissionConfigSource;
  private readonly chain: AdmissionChain;

  constructor(kubeConfig: KubeConfig, log: (line: string) => void = () => {}) {
    this.source = new AdmissionConfigSource(kubeConfig, log);
    this.chain = new AdmissionChain({
      resolveService: this.source.resolveService,
      validate: validateFunction,
      log,
    });
  }

  start(): Promise<void> {
    return this.source.start();
  }

  stop(): Promise<void> {
    return this.source.stop();
  }

  async plan(request: RequestAttributes): Promise<AdmissionPlan | undefined> {
    const mutating = this.source.mutating.filter((w) => rulesMatch(w, request));
    const validating = this.source.validating.filter((w) => rulesMatch(w, request));
    if (mutating.length === 0 && validating.length === 0) return undefined;
    const needsLabels = [...mutating, ...validating].some((w) => Object.keys(w.namespaceSelector).length > 0);
    const labels =
      needsLabels && request.namespace ? await this.source.namespaceLabels(request.namespace) : undefined;
    const inNamespace = (w: Webhook) => namespaceMatches(w, request, labels);
    const selected = { mutating: mutating.filter(inNamespace), validating: validating.filter(inNamespace) };
    if (selected.mutating.length === 0 && selected.validating.length === 0) return undefined;
    return { run: (attrs) => this.chain.run(attrs, selected.mutating, selected.validating) };
  }
}
