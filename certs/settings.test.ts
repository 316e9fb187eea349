import t from 'tap';
import { tlsSettings } from './settings.ts';

t.test('by default the server keeps its certificate in the Secret and injects the CA bundle', async (t) => {
  t.match(tlsSettings({}), {
    mode: 'secret',
    namespace: 'kube-serverless',
    secretName: 'kube-serverless-tls',
    names: {
      dnsNames: [
        'kube-serverless-api.kube-serverless.svc',
        'kube-serverless-api.kube-serverless.svc.cluster.local',
      ],
      ipAddresses: [],
    },
    lifetimes: { caDays: 3650, servingDays: 90 },
    policy: { caOverlapMs: 3_600_000 },
    apiServiceName: 'v1.serverless.kube.io',
    injectCaBundle: true,
  });
});

t.test('extra names split into DNS names and IP addresses', async (t) => {
  const settings = tlsSettings({ KS_TLS_EXTRA_NAMES: 'localhost, 127.0.0.1,::1', KS_NAMESPACE: 'ks' });
  t.match(settings, {
    names: {
      dnsNames: ['kube-serverless-api.ks.svc', 'kube-serverless-api.ks.svc.cluster.local', 'localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
    },
  });
});

t.test('files given: the server manages nothing', async (t) => {
  t.match(tlsSettings({ KS_TLS_CERT_FILE: '/c', KS_TLS_KEY_FILE: '/k' }), { mode: 'files', certFile: '/c' });
  t.throws(() => tlsSettings({ KS_TLS_CERT_FILE: '/c' }), /go together/);
});

t.test('lifetimes that would loop or outlive the CA are refused', async (t) => {
  t.throws(() => tlsSettings({ KS_TLS_SERVING_DAYS: '0.001' }), /at least one hour/);
  t.throws(() => tlsSettings({ KS_TLS_SERVING_DAYS: '400', KS_TLS_CA_DAYS: '1000' }), /a third/);
  t.throws(() => tlsSettings({ KS_TLS_CA_OVERLAP_SECONDS: 'soon' }), /positive number/);
});
