// The aggregated API server for serverless.kube.io/v1: TLS, authentication, authorization,
// discovery and OpenAPI, and the functions REST handlers, composed in one place.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Server as TlsServer } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import express from 'express';
import { GROUP, PLURAL } from '../src/api/constants.ts';
import { WatchedHttpPathIndex } from '../webhooks/http-path-index.ts';
import { createWebhookRouter } from '../webhooks/router.ts';
import { type Admission, WebhookAdmission } from './admission/admission.ts';
import { trustedClientCas } from './auth-config.ts';
import { AuthConfigWatcher } from './auth-config-watcher.ts';
import { authenticate } from './authn.ts';
import { BackingClient } from './backing.ts';
import { Drain } from './drain.ts';
import { forbidden, methodNotSupported, notFound, notFoundPath, unauthorized } from './errors.ts';
import { forbiddenReason } from './forbidden-message.ts';
import { createFunctionsRest } from './functions-rest.ts';
import { requestInfo } from './request-info.ts';
import { sendError } from './respond.ts';
import { createAuthorizer, createTokenReviewer } from './reviews.ts';
import { serveStaticDocument } from './static-routes.ts';

export interface ApiServerOptions {
  /** Credentials of the server itself (its ServiceAccount). */
  kubeConfig: KubeConfig;
  tls: { cert: string; key: string };
  host?: string;
  port?: number;
  /** The admission chain; by default webhooks from the cluster's webhook configurations. */
  admission?: Admission;
  log?: (line: string) => void;
}

export interface RunningApiServer {
  port: number;
  server: Server;
  /** Presents another serving certificate to new connections (rotation); open ones keep theirs. */
  setServingCertificate(tls: { cert: string; key: string }): void;
  /** Graceful: stops accepting, finishes requests in flight (up to `graceMs`), ends watches. */
  close(graceMs?: number): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 5_000;
const REST_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const LAME_DUCK_MS = 1_500;
/**
 * Longer than any client keeps an idle connection (Go's transports, kube-apiserver's aggregator
 * among them, drop theirs after 90 s): a client, not the server, closes an idle connection, so
 * the server never closes one just as a request is sent on it.
 */
const KEEP_ALIVE_TIMEOUT_MS = 120_000;
/** Stops listening without touching open connections (https.Server#close also closes idle ones). */
const tlsServerClose = TlsServer.prototype.close;

/** Paths every authenticated caller may read (the aggregator fetches them with no groups). */
const PUBLIC_DOCUMENTS = /^\/(apis(\/[^/]+(\/[^/]+)?)?|openapi\/v[23](\/.*)?)$/;

export async function startApiServer(options: ApiServerOptions): Promise<RunningApiServer> {
  const authConfig = new AuthConfigWatcher(options.kubeConfig);
  await authConfig.start();
  const reviewToken = createTokenReviewer(options.kubeConfig);
  const authorize = createAuthorizer(options.kubeConfig);
  const backing = new BackingClient(options.kubeConfig);
  const admission = options.admission ?? new WebhookAdmission(options.kubeConfig, options.log);
  await admission.start?.();
  const functionsRest = createFunctionsRest({ backing, admission });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const drain = new Drain();
  for (const path of ['/healthz', '/livez']) {
    app.get(path, (_req, res) => {
      res.type('text/plain').send('ok');
    });
  }
  app.get('/readyz', (_req, res) => {
    // Not ready while draining: balancers and probes stop sending new requests here.
    res
      .status(drain.draining ? 503 : 200)
      .type('text/plain')
      .send(drain.draining ? 'shutting down' : 'ok');
  });
  // Admission webhooks: callers present no identity, the handlers hold no privilege.
  const httpPaths = new WatchedHttpPathIndex(options.kubeConfig);
  httpPaths.start().catch(() => {}); // retries by itself; path checks answer 503 until loaded
  app.use(createWebhookRouter({ httpPaths }));
  app.use(async (req, res) => {
    drain.track(res);
    try {
      const url = new URL(req.originalUrl, 'https://local');
      const user = await authenticate(req, authConfig.current, reviewToken);
      if (!user) throw unauthorized('Unauthorized');
      const info = requestInfo(req.method, url);
      if (info.kind === 'resource' && info.verb === 'watch') drain.markWatch(res);
      if (info.kind === 'nonResource') {
        if (!PUBLIC_DOCUMENTS.test(info.path)) {
          const decision = await authorize(user, info);
          if (!decision.allowed)
            throw forbidden('', forbiddenReason(user, info, decision.reason), { group: '', resource: '' });
        }
        if (!serveStaticDocument(req, res, url)) throw notFoundPath();
        return;
      }
      const decision = await authorize(user, info);
      if (!decision.allowed) {
        throw forbidden(info.name ?? '', forbiddenReason(user, info, decision.reason), {
          group: GROUP,
          resource: info.resource,
        });
      }
      if (!info.served) {
        // An unknown subresource of a function is that function's NotFound, as for a CRD.
        throw info.resource === PLURAL && info.name !== undefined ? notFound(info.name) : notFoundPath();
      }
      // As kube-apiserver: a method no REST verb maps to is 405, never passed on to the backing.
      if (!REST_METHODS.has(req.method)) throw methodNotSupported(req.method.toLowerCase());
      await functionsRest(req, res, info, user, url);
    } catch (error) {
      sendError(res, error);
    }
  });

  // The serving certificate and the trusted client CAs change independently: one secure
  // context is rebuilt from the current value of both whenever either changes.
  let servingTls = options.tls;
  const server = createServer(
    {
      cert: servingTls.cert,
      key: servingTls.key,
      ca: trustedClientCas(authConfig.current),
      requestCert: true,
      rejectUnauthorized: false,
    },
    app,
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Node hands CONNECT to a 'connect' listener and drops the connection without one: answer it.
  server.on('connect', (_req, socket: Duplex) => {
    const text = JSON.stringify(methodNotSupported('connect').status);
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
  });
  const renewSecureContext = () =>
    server.setSecureContext({
      cert: servingTls.cert,
      key: servingTls.key,
      ca: trustedClientCas(authConfig.current),
    });
  authConfig.onChange(renewSecureContext);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8443, options.host ?? '0.0.0.0', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    setServingCertificate: (tls) => {
      servingTls = tls;
      renewSecureContext();
    },
    close: async (graceMs = SHUTDOWN_GRACE_MS) => {
      // Stop accepting connections (new ones go to another replica) but keep answering on the
      // open ones for a moment, each answer closing its connection: a client never sends a
      // request on a connection that is being closed under it, a race HTTP/1.1 cannot make
      // safe for a POST. Watches end cleanly (clients resume from their last resourceVersion
      // elsewhere); what is left after the grace period is cut.
      const closed = new Promise((resolve) => tlsServerClose.call(server, () => resolve(undefined)));
      await drain.drain(LAME_DUCK_MS, { untilDeadline: true });
      server.closeIdleConnections();
      await drain.drain(graceMs);
      authConfig.stop();
      httpPaths.stop();
      await admission.stop?.();
      server.closeAllConnections();
      backing.close();
      await closed;
    },
  };
}
