import t from 'tap';
import type { FieldError } from '../src/api/field-errors.ts';
import { httpPathProblem } from './http-path.ts';
import { MAX_SOURCE_BYTES, specErrors } from './spec-rules.ts';
import { timeZoneProblem } from './time-zone.ts';

const spec = (extra: Record<string, unknown> = {}) => ({
  runtime: 'nodejs',
  source: { inline: 'export const handle = () => 1;' },
  ...extra,
});
const fields = (errors: FieldError[]) => errors.map((e) => `${e.field}: ${e.detail ?? ''}`);

t.test('a plain spec has no error; wrong types are left to the schema', async (t) => {
  t.same(specErrors(spec()), []);
  t.same(specErrors(spec({ env: 'x', resources: [], scale: 3, triggers: { cron: 'x', http: 4 } })), []);
  t.same(specErrors(undefined), []);
});

t.test('runtime: known to the catalog', async (t) => {
  t.match(specErrors(spec({ runtime: 'ruby' })), [
    {
      type: 'FieldValueNotSupported',
      field: 'spec.runtime',
      badValue: 'ruby',
      detail: /supported values: "nodejs", "python", "go", "nodejs22", "python3.11", "go1.26"/,
    },
  ]);
});

t.test('handler: form, identifier per language, file present among files', async (t) => {
  const cases: [Record<string, unknown>, string[]][] = [
    [{ handler: 'nodot' }, ['spec.handler: must be <file>.<function>, such as handler.handle']],
    [{ handler: '../x.handle' }, ['spec.handler: the file part must be a relative path inside the source']],
    [{ handler: 'handler.1st' }, ['spec.handler: "1st" is not a nodejs identifier']],
    [
      { handler: 'handler.handle', source: { files: { 'main.js': '' } } },
      ['spec.handler: no file handler.js or handler.mjs or handler.cjs in spec.source.files'],
    ],
    [{ handler: 'handler.handle', source: { files: { 'handler.mjs': '' } } }, []],
    [
      { source: { files: { 'other.js': '' } } },
      ['spec.handler: no file handler.js or handler.mjs or handler.cjs in spec.source.files'],
    ],
    [{ runtime: 'python', handler: 'pkg.mod.handle', source: { files: { 'pkg/mod.py': '' } } }, []],
    [{ runtime: 'python', handler: 'pkg.handle', source: { files: { 'pkg/__init__.py': '' } } }, []],
    [
      { runtime: 'go', handler: 'handler.Handle', source: { files: { 'main.go': '' } } },
      ['spec.handler: no file handler.go in spec.source.files'],
    ],
    [{ runtime: 'go', handler: 'handler.handle', source: { files: { 'handler.go': '' } } }, []],
    [{ runtime: 'go', source: { configMapRef: { name: 'code' } } }, []],
  ];
  for (const [extra, wanted] of cases) t.same(fields(specErrors(spec(extra))), wanted, JSON.stringify(extra));
});

t.test('source: ConfigMap size and file names', async (t) => {
  const big = 'x'.repeat(MAX_SOURCE_BYTES);
  t.same(fields(specErrors(spec({ source: { inline: big } }))), [
    'spec.source.inline: may not be more than 1048576 bytes',
  ]);
  t.same(fields(specErrors(spec({ source: { files: { 'handler.js': big.slice(10) } } }))), []);
  t.same(fields(specErrors(spec({ source: { files: { 'handler.js': big.slice(9) } } }))), [
    'spec.source.files: may not be more than 1048576 bytes',
  ]);
  t.match(
    fields(
      specErrors(spec({ source: { files: { 'handler.js': '', '../x': '', 'a b': '', 'lib/ok.js': '' } } })),
    ),
    [/^spec.source.files\[\.\.\/x\]: a file name must be a relative path/, /^spec.source.files\[a b\]: /],
  );
});

t.test('env: names, value and valueFrom as Kubernetes has them', async (t) => {
  const env = [
    { name: 'GOOD.name-1' },
    { name: 'A=B' },
    { name: 'X', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'Y', valueFrom: {} },
    { name: 'Z', valueFrom: { fieldRef: { fieldPath: 'x' }, secretKeyRef: { name: 's', key: 'k' } } },
    { name: 'W', valueFrom: { configMapKeyRef: { key: 'k' } } },
  ];
  t.same(fields(specErrors(spec({ env }))), [
    "spec.env[1].name: a valid environment variable name must consist only of printable ASCII characters other than '='",
    'spec.env[2].valueFrom: may not be specified when `value` is not empty',
    'spec.env[3].valueFrom: must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    'spec.env[4].valueFrom: may not have more than one field specified at a time',
    'spec.env[5].valueFrom.configMapKeyRef.name: ',
  ]);
});

t.test('resources: not negative, requests within limits', async (t) => {
  t.same(
    fields(
      specErrors(
        spec({
          resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1500m', memory: '1024Mi' } },
        }),
      ),
    ),
    ['spec.resources.requests[cpu]: must be less than or equal to cpu limit of 1500m'],
  );
  t.same(fields(specErrors(spec({ resources: { limits: { cpu: '-1' } } }))), [
    'spec.resources.limits[cpu]: must be greater than or equal to 0',
  ]);
});

t.test('scale: minReplicas ≤ maxReplicas', async (t) => {
  t.same(specErrors(spec({ scale: { minReplicas: 5, maxReplicas: 2 } })), [
    {
      type: 'FieldValueInvalid',
      field: 'spec.scale.maxReplicas',
      badValue: 2,
      detail: 'must be greater than or equal to `minReplicas`',
    },
  ]);
  t.same(specErrors(spec({ scale: { minReplicas: 2, maxReplicas: 2 } })), []);
});

t.test('triggers: cron schedule and time zone, http path', async (t) => {
  const triggers = {
    cron: [
      { name: 'a', schedule: '0 3 * * *', timeZone: 'Europe/Paris' },
      { name: 'b', schedule: '* * *', timeZone: 'Mars/Base' },
    ],
    http: { path: '/a//b' },
  };
  t.same(fields(specErrors(spec({ triggers }))), [
    'spec.triggers.cron[1].schedule: expected exactly 5 fields, found 3: [* * *]',
    'spec.triggers.cron[1].timeZone: unknown time zone Mars/Base',
    'spec.triggers.http.path: may not contain "//" or end with "/"',
  ]);
});

t.test('time zones: explicit IANA names, case as in the database', async (t) => {
  for (const zone of ['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'US/Eastern'])
    t.equal(timeZoneProblem(zone), undefined, zone);
  t.equal(timeZoneProblem(''), 'timeZone must be nil or non-empty string');
  t.match(timeZoneProblem('Local'), /explicit time zone/);
  for (const zone of ['europe/paris', 'Mars/Base', '../etc/passwd', 'Europe/-Paris', 'A/VeryLongNamePart'])
    t.equal(timeZoneProblem(zone), `unknown time zone ${zone}`, zone);
});

t.test('http paths: canonical, not under /fn', async (t) => {
  for (const path of ['/', '/hello', '/a/b-c_d.e~f', '/x%20y', '/v1/users:search', "/a!$&'()*+,;=@"])
    t.equal(httpPathProblem(path), undefined, path);
  const cases: [string, RegExp][] = [
    ['hello', /must begin with "\/"/],
    ['/a/', /end with/],
    ['/a//b', /"\/\/"/],
    ['/a/../b', /"\." or "\.\."/],
    ['/a b', /may contain only/],
    ['/%zz', /may contain only/],
    ['/a?b', /may contain only/],
    ['/fn', /reserved/],
    ['/fn/default/hello', /reserved/],
  ];
  for (const [path, problem] of cases) t.match(httpPathProblem(path), problem, path);
  t.equal(httpPathProblem('/fnord'), undefined);
});
