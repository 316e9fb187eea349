import t from 'tap';
import { parseMediaType, patchMediaType } from './media-type.ts';

t.test('create and update bodies: Go mime.ParseMediaType', async (t) => {
  const cases: [string, string | undefined][] = [
    ['application/json', 'application/json'],
    ['APPLICATION/JSON', 'application/json'],
    ['application/json; charset=utf-8', 'application/json'],
    ['application/yaml;charset="utf-8";', 'application/yaml'],
    ['application/json;foo', undefined],
    ['application/json; a=1; a=2', undefined],
    ['application/json; a=1; a=1', 'application/json'],
    ['garbage', 'garbage'],
    ['*/*', '*/*'],
    ['text/ yaml', undefined],
    ['', undefined],
  ];
  for (const [header, want] of cases) t.equal(parseMediaType(header), want, header);
});

t.test('patches: the text before the first ;, case kept', async (t) => {
  t.equal(patchMediaType('application/merge-patch+json; charset=utf-8'), 'application/merge-patch+json');
  t.equal(patchMediaType('Application/Merge-Patch+Json'), 'Application/Merge-Patch+Json');
  t.equal(patchMediaType(';application/merge-patch+json'), ';application/merge-patch+json');
  t.equal(patchMediaType(''), '');
});
