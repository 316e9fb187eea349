// The point where every write to functions passes through admission. The admission chain
// (mutating webhooks, validation, validating webhooks) plugs in here; it may rewrite the body
// or refuse the request by throwing a StatusError.
import type { UserInfo } from './authn.ts';
import type { ResourceRequest } from './request-info.ts';

export interface AdmissionRequest {
  info: ResourceRequest;
  user: UserInfo;
  url: URL;
  /** The backing-form body of a create, update or patch. */
  body: Buffer | undefined;
}

export interface AdmissionHook {
  /** Resolves to the body to send on (possibly rewritten). */
  admit(request: AdmissionRequest): Promise<Buffer | undefined>;
}

export const ADMIT_ALL: AdmissionHook = { admit: async ({ body }) => body };
