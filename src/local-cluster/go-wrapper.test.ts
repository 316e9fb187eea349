import t from 'tap';
import { kubernetesLdflags, parseModuleFile, stagingVersion, wrapperGoMod } from './go-wrapper.ts';

const kubernetesGoMod = `module k8s.io/kubernetes

go 1.26.0

godebug default=go1.26

require (
	k8s.io/api v0.0.0
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go
)
`;

const etcdGoMod = `module go.etcd.io/etcd/server/v3

go 1.26.0

toolchain go1.26.10

replace (
	go.etcd.io/etcd/api/v3 => ../api
	go.etcd.io/etcd/client/v3 => ../client/v3
)

replace go.etcd.io/etcd => ./FORBIDDEN_DEPENDENCY

replace go.etcd.io/tests/v3 => ./FORBIDDEN_DEPENDENCY
replace example.com/pinned => example.com/pinned v1.2.3
`;

t.test('reads go, godebug and the local replaces of a release go.mod', async (t) => {
  t.same(parseModuleFile(kubernetesGoMod), {
    goLine: 'go 1.26.0',
    godebugLines: ['godebug default=go1.26'],
    localReplaces: ['k8s.io/api', 'k8s.io/client-go'],
  });
});

t.test('skips forbidden-dependency markers and replaces to published versions', async (t) => {
  t.same(parseModuleFile(etcdGoMod).localReplaces, ['go.etcd.io/etcd/api/v3', 'go.etcd.io/etcd/client/v3']);
});

t.test('writes a wrapper that pins every sibling to its published version', async (t) => {
  const text = wrapperGoMod({
    module: 'example.local/wrapper',
    requirePath: 'k8s.io/kubernetes',
    requireVersion: 'v1.36.3',
    parsed: parseModuleFile(kubernetesGoMod),
    siblingVersion: () => stagingVersion('1.36.3'),
  });
  t.equal(
    text,
    [
      'module example.local/wrapper',
      '',
      'go 1.26.0',
      '',
      'godebug default=go1.26',
      '',
      'require k8s.io/kubernetes v1.36.3',
      '',
      'replace (',
      '\tk8s.io/api => k8s.io/api v0.36.3',
      '\tk8s.io/client-go => k8s.io/client-go v0.36.3',
      ')',
      '',
    ].join('\n'),
  );
});

t.test('maps releases to staging versions and refuses others', async (t) => {
  t.equal(stagingVersion('1.35.4'), 'v0.35.4');
  t.throws(() => stagingVersion('2.0'));
});

t.test('stamps the release into component-base and client-go', async (t) => {
  const flags = kubernetesLdflags('1.36.3', new Date('2026-01-02T03:04:05.678Z'));
  t.match(flags, '-X k8s.io/component-base/version.gitVersion=v1.36.3');
  t.match(flags, '-X k8s.io/component-base/version.gitMinor=36');
  t.match(flags, '-X k8s.io/client-go/pkg/version.gitVersion=v1.36.3');
  t.match(flags, 'buildDate=2026-01-02T03:04:05Z');
});
