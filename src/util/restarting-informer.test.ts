import { KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import t from 'tap';
import { RestartingInformer } from './restarting-informer.ts';

// No API server listens here: every watch fails, which is what starts the informer again.
const kubeConfig = new KubeConfig();
kubeConfig.loadFromOptions({
  clusters: [{ name: 'none', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
  users: [{ name: 'none' }],
  contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
  currentContext: 'none',
});

t.test('a failed list or watch starts the informer again after the delay, keeping the cache', async (t) => {
  let lists = 0;
  const logged: string[] = [];
  const added: string[] = [];
  const informer = new RestartingInformer<V1ConfigMap>(kubeConfig, {
    path: '/api/v1/namespaces/a/configmaps',
    list: async () => {
      lists++;
      if (lists === 1) throw new Error('list refused');
      return { items: [{ metadata: { name: 'one', namespace: 'a', resourceVersion: '1' } }] };
    },
    onEvent: (event, object) => added.push(`${event} ${object.metadata?.name}`),
    log: (line) => logged.push(line),
    restartDelayMs: 20,
  });
  t.teardown(() => informer.stop());
  await informer.start();
  const deadline = Date.now() + 10_000;
  while (lists < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.ok(lists >= 3, `listed again after the failed list and after the failed watch (${lists} lists)`);
  t.match(logged[0], /informer on \/api\/v1\/namespaces\/a\/configmaps failed, restarting: list refused/);
  t.same(added, ['add one'], 'the object is reported once, however often it is listed again');
  t.equal(informer.get('one', 'a')?.metadata?.name, 'one');
  await informer.stop();
  const after = lists;
  await new Promise((r) => setTimeout(r, 100));
  t.equal(lists, after, 'stopped: no more restarts');
});
