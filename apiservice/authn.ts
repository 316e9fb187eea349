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

function fromRequestHeaders(req: IncomingMessage, cert: X509Certificate, config: RequestHeaderConfig) {
  if (!config.ca.some((ca) => issuedBy(cert, ca))) return undefined;
  if (!(cert.keyUsage ?? []).includes(CLIENT_AUTH_USAGE)) return undefined;
  const commonName = subjectField(cert, 'CN')[0] ?? '';
  if (config.allowedNames.length > 0 && !config.allowedNames.includes(commonName)) return undefined;
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

export async function authenticate(
  req: IncomingMessage,
  config: AuthenticationConfig,
  reviewToken: TokenReviewer,
): Promise<UserInfo | undefined> {
  const socket = req.socket as TLSSocket;
  // `authorized` means OpenSSL verified the chain and validity period against the trusted CAs;
  // which CA issued the certificate decides what it may assert, so that is checked per CA.
  const cert = socket.authorized ? socket.getPeerX509Certificate?.() : undefined;
  if (cert) {
    const viaProxy = config.requestHeader && fromRequestHeaders(req, cert, config.requestHeader);
    if (viaProxy) return viaProxy;
    const viaClientCa = fromClientCertificate(cert, config);
    if (viaClientCa) return viaClientCa;
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) return reviewToken(bearer);
  return undefined;
}
