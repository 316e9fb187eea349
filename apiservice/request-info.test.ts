import t from 'tap';
import { requestInfo } from './request-info.ts';

const base = 'https://x/apis/serverless.kube.io/v1';
const info = (method: string, path: string) => requestInfo(method, new URL(`${base}${path}`));

t.test('maps methods and paths to the verbs kube-apiserver authorizes', async (t) => {
  const cases: Array<[string, string, string, string | undefined, string | undefined, string | undefined]> = [
    ['GET', '/namespaces/a/functions', 'list', 'a', undefined, undefined],
    ['GET', '/namespaces/a/functions?watch=true', 'watch', 'a', undefined, undefined],
    ['GET', '/namespaces/a/functions?watch=1', 'watch', 'a', undefined, undefined],
    ['GET', '/functions', 'list', undefined, undefined, undefined],
    ['GET', '/namespaces/a/functions/f', 'get', 'a', 'f', undefined],
    ['POST', '/namespaces/a/functions', 'create', 'a', undefined, undefined],
    ['PUT', '/namespaces/a/functions/f', 'update', 'a', 'f', undefined],
    ['PATCH', '/namespaces/a/functions/f', 'patch', 'a', 'f', undefined],
    ['DELETE', '/namespaces/a/functions/f', 'delete', 'a', 'f', undefined],
    ['DELETE', '/namespaces/a/functions', 'deletecollection', 'a', undefined, undefined],
    ['POST', '/namespaces/a/functions/f/invoke', 'create', 'a', 'f', 'invoke'],
    ['GET', '/namespaces/a/functions/f/metrics', 'get', 'a', 'f', 'metrics'],
    ['PUT', '/namespaces/a/functions/f/status', 'update', 'a', 'f', 'status'],
    ['GET', '/namespaces/a/functions/f/scale', 'get', 'a', 'f', 'scale'],
  ];
  for (const [method, path, verb, namespace, name, subresource] of cases) {
    t.match(
      info(method, path),
      { kind: 'resource', verb, namespace, name, subresource, served: true },
      `${method} ${path}`,
    );
  }
});

t.test('unknown resources and subresources are resource requests that are not served', async (t) => {
  t.match(info('GET', '/namespaces/a/functions/f/logs'), {
    kind: 'resource',
    served: false,
    subresource: 'logs',
  });
  t.match(info('GET', '/namespaces/a/widgets'), { kind: 'resource', served: false, resource: 'widgets' });
});

t.test('segments after a subresource are ignored, as kube-apiserver ignores them', async (t) => {
  t.match(info('GET', '/namespaces/a/functions/f/status/x'), { served: true, subresource: 'status' });
  t.match(info('GET', '/namespaces/a/functions/f/logs/x'), { served: false, subresource: 'logs' });
});

t.test('watch is any value of the watch parameter but 0 and false', async (t) => {
  for (const [query, verb] of [
    ['watch=true', 'watch'],
    ['watch=1', 'watch'],
    ['watch=yes', 'watch'],
    ['watch=', 'watch'],
    ['watch=0', 'list'],
    ['watch=FALSE', 'list'],
    ['', 'list'],
  ] as const) {
    t.equal(info('GET', `/namespaces/a/functions?${query}`).verb, verb, query);
  }
});

t.test('discovery, OpenAPI and health are non-resource paths', async (t) => {
  t.same(requestInfo('GET', new URL(base)), {
    kind: 'nonResource',
    verb: 'get',
    path: '/apis/serverless.kube.io/v1',
  });
  t.same(requestInfo('GET', new URL('https://x/openapi/v2')), {
    kind: 'nonResource',
    verb: 'get',
    path: '/openapi/v2',
  });
  t.match(requestInfo('GET', new URL(`${base}/`)), {
    kind: 'nonResource',
    path: '/apis/serverless.kube.io/v1',
  });
});

t.test('a broken escape in the path is a bad request, not a server error', async (t) => {
  t.throws(() => info('GET', '/namespaces/a/functions/%zz'), { code: 400, reason: 'BadRequest' });
  t.throws(() => info('GET', '/namespaces/%E0%A4%A/functions'), { code: 400, reason: 'BadRequest' });
  // An escaped slash separates segments, as in Go's decoded URL.Path: never part of a name.
  t.match(info('GET', '/namespaces/a/functions/a%2Fb'), { name: 'a', subresource: 'b', served: false });
  t.match(info('GET', '/namespaces/a/functions/f%20g'), { name: 'f g', served: true });
});

t.test('deprecated /watch/ paths are watches of the path that follows, whatever the method', async (t) => {
  t.match(info('GET', '/watch/namespaces/a/functions'), {
    verb: 'watch',
    namespace: 'a',
    name: undefined,
    served: true,
    watchPath: true,
  });
  t.match(info('GET', '/watch/namespaces/a/functions/f'), {
    verb: 'watch',
    namespace: 'a',
    name: 'f',
    served: true,
    watchPath: true,
  });
  t.match(info('POST', '/watch/functions?watch=false'), {
    verb: 'watch',
    namespace: undefined,
    resource: 'functions',
    served: true,
  });
  t.match(info('GET', '/watch/namespaces/a/functions/f/status'), {
    verb: 'watch',
    subresource: 'status',
    served: true,
  });
  t.match(info('GET', '/watch'), { resource: 'watch', served: false, watchPath: false });
  t.match(info('GET', '/namespaces/a/functions'), { watchPath: false });
});
