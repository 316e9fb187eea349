import t from 'tap';
import { BigInteger, decodeYaml, replaceTopLevelScalars, toJsonText, YamlBodyError } from './yaml-body.ts';

const json = (yaml: string) => toJsonText(decodeYaml(yaml).value);
const failure = (yaml: string) => {
  try {
    json(yaml);
  } catch (error) {
    if (error instanceof YamlBodyError) return error.message;
    throw error;
  }
  throw new Error(`no error for ${yaml}`);
};

t.test('plain scalars resolve as go-yaml v2 resolves them (YAML 1.1)', async (t) => {
  const cases: [string, unknown][] = [
    ['y', true],
    ['Yes', true],
    ['on', true],
    ['OFF', false],
    ['n', false],
    ['yes!', 'yes!'],
    ['~', null],
    ['', null],
    ['Null', null],
    ['017', 15],
    ['0o17', 15],
    ['0x1F', 31],
    ['-0x1F', -31],
    ['0b101', 5],
    ['1_000', 1000],
    ['08', 8],
    ['1e3', 1000],
    ['.5', 0.5],
    ['+1', 1],
    ['1:20', '1:20'],
    ['2001-12-14', '2001-12-14'],
    ['1e400', '1e400'],
    ['.', '.'],
    ['<<x', '<<x'],
  ];
  for (const [text, want] of cases) t.same(decodeYaml(`v: ${text}`).value, { v: want }, text);
  t.same(decodeYaml('v: 12345678901234567890').value, { v: new BigInteger('12345678901234567890') });
  t.equal(json('v: 12345678901234567890'), '{"v":12345678901234567890}', 'big integers stay exact');
  t.equal(json('v: -9223372036854775808'), '{"v":-9223372036854775808}');
  t.equal(json('v: 99999999999999999999'), '{"v":100000000000000000000}', 'beyond uint64: a float');
});

t.test('quoted, block and tagged scalars', async (t) => {
  t.same(decodeYaml('a: "y"\nb: \'017\'\nc: |\n  text\n').value, { a: 'y', b: '017', c: 'text\n' });
  t.same(decodeYaml('{a: !!str 12, b: !!int "12", c: !!float 3, d: !!binary aGk=, e: !foo bar}').value, {
    a: '12',
    b: 12,
    c: 3,
    d: 'hi',
    e: 'bar',
  });
  t.equal(failure('a: !!int abc'), 'yaml: cannot decode !!str `abc` as a !!int');
  t.equal(failure('a: !!binary "%%"'), 'yaml: !!binary value contains invalid base64 data');
});

t.test('keys become strings as sigs.k8s.io/yaml makes them; some keys are refused', async (t) => {
  t.same(JSON.parse(json('{1: a, true: b, on: c, 1.5: d, 0x10: e, y: f}')), {
    1: 'a',
    true: 'f',
    1.5: 'd',
    16: 'e',
  });
  t.equal(failure('~: 1'), 'unsupported map key of type: %!s(<nil>), key: <nil>, value: 1');
  t.equal(failure('? [a]\n: 2'), 'yaml: invalid map key: ["a"]');
  t.equal(json('__proto__: 1'), '{"__proto__":1}', 'no prototype pollution');
});

t.test('repeated keys: the last one wins, each repeat reported with its line', async (t) => {
  const decoded = decodeYaml('spec:\n  runtime: go\n  runtime: nodejs\n  runtime: python\n');
  t.same(decoded.value, { spec: { runtime: 'python' } });
  t.same(decoded.duplicates, [
    'line 3: key "runtime" already set in map',
    'line 4: key "runtime" already set in map',
  ]);
  t.same(decodeYaml('{1: a, "1": b}').duplicates, [], '1 and "1" are different keys in YAML');
});

t.test('merge keys apply where they stand, in go-yaml order', async (t) => {
  const merged = decodeYaml('b: &b {p: 1, q: 2}\nm: {<<: *b, q: 3}\n');
  t.same(merged.value, { b: { p: 1, q: 2 }, m: { p: 1, q: 3 } });
  t.same(merged.duplicates, ['line 2: key "q" already set in map'], 'strict go-yaml flags overrides');
  t.same(
    (decodeYaml('a: &a {x: 1}\nb: &b {x: 2}\nm: {<<: [*a, *b]}\n').value as { m: unknown }).m,
    { x: 1 },
    'first map wins',
  );
  t.same(decodeYaml('m: {"<<": {x: 1}}').value, { m: { '<<': { x: 1 } } }, 'a quoted << is a key');
  t.equal(failure('m: {<<: 1}'), 'yaml: map merge requires map or sequence of maps as the value');
});

t.test('documents: the first one only; empty input is null; errors name their line', async (t) => {
  t.same(decodeYaml('a: 1\n---\nb: [').value, { a: 1 });
  t.same(decodeYaml('a: 1\n---\n]]]\n').value, { a: 1 }, 'errors after the first document');
  t.equal(decodeYaml('').value, null);
  t.equal(decodeYaml('# only a comment\n').value, null);
  t.match(failure('a: [b'), /^yaml: line 1: /);
  t.match(failure('a: x\n\tb: y'), /^yaml: line 2: /);
});

t.test('JSON text: NaN and Inf are refused like encoding/json refuses them', async (t) => {
  t.equal(failure('x: .nan'), 'json: unsupported value: NaN');
  t.equal(failure('x: -.Inf'), 'json: unsupported value: -Inf');
  t.equal(toJsonText([1, 'a', null, true, { b: [] }]), '[1,"a",null,true,{"b":[]}]');
});

t.test('aliases: resolved to the last anchor before them; expansion is bounded', async (t) => {
  t.same(decodeYaml('a: &x 1\nb: *x\nc: &x 2\nd: *x\n').value, { a: 1, b: 1, c: 2, d: 2 });
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
  }
  t.equal(failure(levels.join('\n')), 'yaml: document contains excessive aliasing');
});

t.test('top-level scalars are replaced in place, everything else kept', async (t) => {
  const raw = 'apiVersion: "a/v1" # comment\nkind: A\nmetadata: {name: x}\nkind: A\nspec: {kind: A}\n';
  t.equal(
    replaceTopLevelScalars(raw, { apiVersion: 'b/v1', kind: 'B' }),
    'apiVersion: "b/v1" # comment\nkind: "B"\nmetadata: {name: x}\nkind: "B"\nspec: {kind: A}\n',
  );
  t.equal(replaceTopLevelScalars('{apiVersion: a, kind: A}', { kind: 'B' }), '{apiVersion: a, kind: "B"}');
  t.equal(replaceTopLevelScalars('x: &k A\nkind: *k\n', { kind: 'B' }), undefined, 'an alias: no edit');
  t.equal(replaceTopLevelScalars('- a', { kind: 'B' }), undefined, 'not a mapping');
});
