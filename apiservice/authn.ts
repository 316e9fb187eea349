// Who is calling: a front-proxy certificate with identity headers (requests relayed by
// kube-apiserver), a client certificate of the cluster's client CA, or a bearer token
// (TokenReview). Anything else is not authenticated.
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { issuedBy } from '../certs/inspect.ts';
import type { AuthenticationConfig, RequestHeaderConfig } from './auth-config.ts';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export type TokenReviewer = (token: string) => Promise<UserInfo | undefined>;

const CLIENT_AUTH_USAGE = '1.3.6.1.5.5.7.3.2';
const AUTHENTICATED = 'system:authenticated';

function subjectField(cert: X509Certificate, field: 'CN' | 'O'): string[] {
  return cert.subject
    .split('\n')
    .filter((line) => line.startsWith(`${field}=`))
    .map((line) => line.slice(field.length + 1));
}

function headerValues(req: IncomingMessage, name: string): string[] {
  return (req.headersDistinct[name] ?? []).filter((value) => value.length > 0);
}

function withAuthenticatedGroup(groups: string[]): string[] {
  return groups.includes(AUTHENTICATED) ? groups : [...groups, AUTHENTICATED];
}

/** As k8s.io/apiserver's unescapeExtraKey: a key that does not unescape is kept as sent. */
function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** Whether a certificate is the front proxy's: issued by its CA, for client auth, an allowed name. */
function isProxyCertificate(cert: X509Certificate, config: RequestHeaderConfig): boolean {
  if (!config.ca.some((ca) => issuedBy(cert, ca))) return false;
  if (!(cert.keyUsage ?? []).includes(CLIENT_AUTH_USAGE)) return false;
  const commonName = subjectField(cert, 'CN')[0] ?? '';
  return config.allowedNames.length === 0 || config.allowedNames.includes(commonName);
}

/** The identity the front proxy asserts in the request's headers. */
function fromRequestHeaders(req: IncomingMessage, config: RequestHeaderConfig): UserInfo | undefined {
  const username = config.usernameHeaders.map((h) => headerValues(req, h)[0]).find((v) => v);
  if (!username) return undefined;
  const uid = config.uidHeaders.map((h) => headerValues(req, h)[0]).find((v) => v);
  const groups = config.groupHeaders.flatMap((h) => headerValues(req, h));
  const extra: Record<string, string[]> = {};
  for (const [header, values] of Object.entries(req.headersDistinct)) {
    const prefix = config.extraHeaderPrefixes.find((p) => header.startsWith(p));
    if (!prefix || !values) continue;
    const key = unescapeExtraKey(header.slice(prefix.length)).toLowerCase();
    extra[key] = [...(extra[key] ?? []), ...values];
  }
  return { username, ...(uid ? { uid } : {}), groups, extra };
}

function fromClientCertificate(cert: X509Certificate, config: AuthenticationConfig): UserInfo | undefined {
  if (!config.clientCa.some((ca) => issuedBy(cert, ca))) return undefined;
  const username = subjectField(cert, 'CN')[0];
  if (!username) return undefined;
  return { username, groups: withAuthenticatedGroup(subjectField(cert, 'O')), extra: {} };
}

/** What a connection's client certificate may assert, under one authentication configuration. */
interface CertificateTrust {
  config: AuthenticationConfig;
  proxy: boolean;
  clientUser: UserInfo | undefined;
}

/**
 * A connection presents one certificate for its whole life, and the aggregator keeps its
 * connections open: parsing and verifying the certificate (~1 ms) is done once per connection
 * and configuration (a rotated CA is a new configuration), not once per request.
 */
const trustByConnection = new WeakMap<TLSSocket, CertificateTrust>();

function certificateTrust(socket: TLSSocket, config: AuthenticationConfig): CertificateTrust {
  const known = trustByConnection.get(socket);
  if (known?.config === config) return known;
  // `authorized` means OpenSSL verified the chain and validity period against the trusted CAs;
  // which CA issued the certificate decides what it may assert, so that is checked per CA.
  const cert = socket.authorized ? socket.getPeerX509Certificate?.() : undefined;
  const trust: CertificateTrust = {
    config,
    proxy:
      cert !== undefined &&
      config.requestHeader !== undefined &&
      isProxyCertificate(cert, config.requestHeader),
    clientUser: cert && fromClientCertificate(cert, config),
  };
  trustByConnection.set(socket, trust);
  return trust;
}

export async function authenticate(
  req: IncomingMessage,
  config: AuthenticationConfig,
  reviewToken: TokenReviewer,
): Promise<UserInfo | undefined> {
  const trust = certificateTrust(req.socket as TLSSocket, config);
  const viaProxy = trust.proxy && config.requestHeader && fromRequestHeaders(req, config.requestHeader);
  if (viaProxy) return viaProxy;
  if (trust.clientUser) return structuredClone(trust.clientUser);
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) return reviewToken(bearer);
  return undefined;
}
