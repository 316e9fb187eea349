import t from 'tap';
import { TtlCache } from './ttl-cache.ts';

t.test('shares a value until it expires, and forgets failures', async (t) => {
  let now = 0;
  let loads = 0;
  const cache = new TtlCache<number>(1000, 10, () => now);
  const load = async () => ++loads;
  t.equal(await cache.get('k', load), 1);
  t.equal(await cache.get('k', load), 1);
  now = 1001;
  t.equal(await cache.get('k', load), 2);
  await t.rejects(cache.get('bad', () => Promise.reject(new Error('no'))));
  t.equal(await cache.get('bad', load), 3, 'a failed lookup is retried');
});
