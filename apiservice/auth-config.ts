// The delegated authentication settings kube-apiserver publishes in ConfigMap
// kube-system/extension-apiserver-authentication: client CA, front-proxy CA and header names.
import { X509Certificate } from 'node:crypto';

export const AUTH_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };

export interface RequestHeaderConfig {
  ca: X509Certificate[];
  caPem: string;
  allowedNames: string[];
  usernameHeaders: string[];
  uidHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

export interface AuthenticationConfig {
  clientCa: X509Certificate[];
  clientCaPem: string;
  requestHeader: RequestHeaderConfig | undefined;
}

export const EMPTY_AUTHENTICATION_CONFIG: AuthenticationConfig = {
  clientCa: [],
  clientCaPem: '',
  requestHeader: undefined,
};

/** Every certificate in a PEM bundle; unreadable blocks are skipped. */
export function parseCertificateBundle(pem: string | undefined): X509Certificate[] {
  const blocks = pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}

function stringList(json: string | undefined): string[] {
  if (!json) return [];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

export function parseAuthenticationConfig(data: Record<string, string> | undefined): AuthenticationConfig {
  const clientCaPem = data?.['client-ca-file'] ?? '';
  const requestHeaderCaPem = data?.['requestheader-client-ca-file'] ?? '';
  const requestHeaderCa = parseCertificateBundle(requestHeaderCaPem);
  return {
    clientCa: parseCertificateBundle(clientCaPem),
    clientCaPem,
    requestHeader:
      requestHeaderCa.length === 0
        ? undefined
        : {
            ca: requestHeaderCa,
            caPem: requestHeaderCaPem,
            allowedNames: stringList(data?.['requestheader-allowed-names']),
            usernameHeaders: stringList(data?.['requestheader-username-headers']).map((h) => h.toLowerCase()),
            uidHeaders: stringList(data?.['requestheader-uid-headers']).map((h) => h.toLowerCase()),
            groupHeaders: stringList(data?.['requestheader-group-headers']).map((h) => h.toLowerCase()),
            extraHeaderPrefixes: stringList(data?.['requestheader-extra-headers-prefix']).map((h) =>
              h.toLowerCase(),
            ),
          },
  };
}

/** The CA certificates a TLS server must ask clients for, for both ways in. */
export function trustedClientCas(config: AuthenticationConfig): string[] {
  return [config.clientCaPem, config.requestHeader?.caPem ?? ''].filter((pem) => pem.length > 0);
}
