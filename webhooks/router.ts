/**
 * HTTP routes of the admission webhooks, served by the API server before authentication (their
 * callers, kube-apiserver and the server's own admission chain, present no identity and the
 * handlers hold no privilege). Whatever the body, the answer is an AdmissionReview (200) or a
 * Status: 400 for what is not an AdmissionReview v1, 413 when too large; never a 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Router } from 'express';
import { internalError, methodNotSupported, StatusError } from '../apiservice/errors.ts';
import { readRequestBody } from '../apiservice/request-body.ts';
import { sendJson } from '../apiservice/respond.ts';
import type { HttpPathClaims } from './http-path-index.ts';
import { mutateAdmission } from './mutate.ts';
import { type AdmissionRequest, type AdmissionResponse, deny, parseReview, review } from './review.ts';
import { validateAdmission } from './validate.ts';

export const MUTATE_PATH = '/webhooks/mutate-functions';
export const VALIDATE_PATH = '/webhooks/validate-functions';
/** An AdmissionReview carries the object and the old object, each up to kube-apiserver's 3 MiB. */
export const MAX_REVIEW_BYTES = 7 * 1024 * 1024;

export interface WebhookDeps {
  /** Who claims which HTTP trigger path (WatchedHttpPathIndex in the server). */
  httpPaths: HttpPathClaims;
}

type Admit = (request: AdmissionRequest) => AdmissionResponse | Promise<AdmissionResponse>;

export function createWebhookRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  router.post(MUTATE_PATH, (req, res) => answer(req, res, mutateAdmission));
  router.post(VALIDATE_PATH, (req, res) => answer(req, res, (request) => validateAdmission(request, deps)));
  router.all([MUTATE_PATH, VALIDATE_PATH], (req, res) => {
    const status = methodNotSupported(req.method.toLowerCase()).status;
    sendJson(res, status.code, status);
  });
  return router;
}

async function answer(req: IncomingMessage, res: ServerResponse, admit: Admit): Promise<void> {
  let body: string;
  try {
    body = await readRequestBody(req, MAX_REVIEW_BYTES);
  } catch (error) {
    // Too large: a Status. A connection that broke mid-body has nobody to answer.
    if (error instanceof StatusError) sendJson(res, error.code, error.status);
    else res.destroy();
    return;
  }
  const parsed = parseReview(body);
  if ('error' in parsed) {
    sendJson(res, parsed.error.code, parsed.error);
    return;
  }
  let response: AdmissionResponse;
  try {
    response = await admit(parsed.request);
  } catch (error) {
    // A bug here denies this one request with its reason; the caller's failurePolicy is not involved.
    response = deny(parsed.request.uid, internalError(error).status);
  }
  sendJson(res, 200, review(response));
}
