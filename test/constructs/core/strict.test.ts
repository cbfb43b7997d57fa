import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arr,
  assertProps,
  bool,
  checkSpec,
  editDistance,
  type Fields,
  isPlainObject,
  json,
  nearestKey,
  num,
  oneOf,
  opaque,
  opt,
  rec,
  req,
  type Spec,
  str,
  tagged,
  union,
} from '../../../constructs/core/strict';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { expectInvalid } from '../../helpers/errors';

const obj = (fields: Fields): Spec => ({ kind: 'object', fields });
const PROPS = obj({
  name: req(str()),
  replicas: opt(num()),
  enabled: opt(bool),
  tags: opt(rec(str())),
  ports: opt(arr(num())),
  values: opt(rec(json)),
});

describe('strict layer', () => {
  it('accepts a conforming value and treats undefined keys as absent', () => {
    expect(
      checkSpec({ name: 'a', replicas: 2, enabled: true, tags: { a: 'b' }, ports: [1] }, PROPS, ''),
    ).toBeUndefined();
    expect(checkSpec({ name: 'a', replicas: undefined }, PROPS, '')).toBeUndefined();
  });

  it('refuses unknown keys with the nearest key, or the known keys when none is near', () => {
    expect(checkSpec({ name: 'a', replicaz: 2 }, PROPS, '')?.message).toBe(
      '`replicaz`: unknown; did you mean `replicas`?',
    );
    expect(checkSpec({ name: 'a', Enabled: true }, PROPS, '')?.message).toContain('did you mean `enabled`?');
    expect(checkSpec({ name: 'a', zzz: 1 }, PROPS, '')?.message).toMatch(/known keys: `name`, `replicas`/);
  });

  it('refuses null, wrong types, holes and exotic values at the position', () => {
    expect(checkSpec({ name: null }, PROPS, '')).toMatchObject({ path: 'name', problem: 'must be a string' });
    expect(checkSpec({ name: 'a', enabled: 'false' }, PROPS, '')?.problem).toMatch(/true or false/);
    expect(checkSpec({ name: 'a', replicas: '3' }, PROPS, '')?.problem).toBe('must be a number');
    expect(checkSpec({ name: 'a', replicas: Number.NaN }, PROPS, '')?.problem).toBe('must be a number');
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(checkSpec({ name: 'a', ports: [1, , 2] }, PROPS, '')).toMatchObject({ path: 'ports[1]' });
    expect(checkSpec({ name: 'a', replicas: 1n }, PROPS, '')?.problem).toMatch(/is a bigint: plain data only/);
    expect(checkSpec({ name: Symbol('s') }, PROPS, '')?.problem).toMatch(/is a symbol/);
    expect(checkSpec({ name: () => 'a' }, PROPS, '')?.problem).toMatch(/is a function/);
    expect(checkSpec({ name: 'a', [Symbol('k')]: 1 }, PROPS, '')?.problem).toMatch(/symbol keys/);
    expect(checkSpec(new (class X {})(), PROPS, '')?.problem).toBe('must be an object');
  });

  it('json takes any plain data but no null, NaN, holes, class instances or exotic values', () => {
    const at = (v: unknown) => checkSpec({ name: 'a', values: { v } }, PROPS, '');
    expect(at({ a: [1, 'b', true, { c: [] }] })).toBeUndefined();
    expect(at({ a: [1, null] })).toMatchObject({ path: 'values.v.a[1]', problem: expect.stringMatching(/is null/) });
    expect(at(Number.POSITIVE_INFINITY)?.problem).toBe('must be a finite number');
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(at([, 1])?.path).toBe('values.v[0]');
    expect(at(new Date(0))?.problem).toMatch(/class instance/);
    expect(at(1n)?.problem).toMatch(/bigint/);
  });

  it('tagged picks the variant by its key, names unknown tags, and treats a misspelled tag key as unknown', () => {
    const spec = tagged('mode', {
      l2: obj({ mode: req(str()) }),
      bgp: obj({ mode: req(str()), asn: req(num()) }),
    });
    expect(checkSpec({ mode: 'bgp', asn: 1 }, spec, 'ad')).toBeUndefined();
    expect(checkSpec({ mode: 'bgp' }, spec, 'ad')).toMatchObject({ path: 'ad.asn' });
    expect(checkSpec({ mode: 'l2', asn: 1 }, spec, 'ad')?.message).toMatch(/`ad.asn`: unknown/);
    expect(checkSpec({ mode: 'arp' }, spec, 'ad')).toMatchObject({
      path: 'ad.mode',
      problem: 'must be one of "l2", "bgp"',
    });
    expect(checkSpec({ mod: 'l2' }, spec, 'ad')?.message).toBe('`ad.mod`: unknown; did you mean `mode`?');
    expect(checkSpec({ mode: 'x' }, tagged('mode', {}, 'must be a mode'), '')?.problem).toBe('must be a mode');
    expect(checkSpec('l2', spec, 'ad')?.problem).toBe('must be an object');
  });

  it('a union reports inside the object member a value was meant for', () => {
    const a = obj({ gateway: req(str()) });
    const b = obj({ ingressClassName: req(str()) });
    const either = union('must be a or b', a, b);
    expect(checkSpec({ gateway: 'g' }, either, 's')).toBeUndefined();
    expect(checkSpec({ gatewy: 'g' }, either, 's')?.message).toBe('`s.gatewy`: unknown; did you mean `gateway`?');
    expect(checkSpec({ gateway: 1 }, either, 's')).toMatchObject({ path: 's.gateway' });
    expect(checkSpec({ zz: 1 }, either, 's')?.problem).toBe('must be a or b');
    const optionsOrFalse = union(
      'must be options or false',
      a,
      opaque('must be false', (v) => v === false),
    );
    expect(checkSpec(false, optionsOrFalse, 'c')).toBeUndefined();
    expect(checkSpec(true, optionsOrFalse, 'c')?.problem).toBe('must be options or false');
    expect(checkSpec({ gateway: 'g', x: 1 }, optionsOrFalse, 'c')?.message).toMatch(/`c.x`: unknown/);
  });

  it('oneOf takes its strings only', () => {
    expect(checkSpec('single', oneOf('per-zone', 'single'), 'n')).toBeUndefined();
    expect(checkSpec('both', oneOf('per-zone', 'single'), 'n')?.problem).toBe('must be one of "per-zone", "single"');
  });

  it('assertProps throws an InvalidPropertyError naming the path from the root, quoted as the constructs do', () => {
    expectInvalid(
      () => assertProps({ name: 'a', replicas: '3' }, PROPS),
      'replicas',
      /^'replicas' \("3"\) must be a number$/,
    );
    expectInvalid(() => assertProps(null, PROPS, 'args'), 'args', /^'args' \(null\) must be an object$/);
    expectInvalid(
      () => assertProps({ deployer: 1 }, obj({ deployer: req(str()) }), 'x', 'access'),
      'access.deployer',
      /'access.deployer' \(1\)/,
    );
    expectInvalid(() => assertProps({ name: 'a', replica: 1 }, PROPS), 'replica', /did you mean `replicas`\?/);
  });

  it('nearest keys: plausible typos only, ties to the fewer substitutions', () => {
    expect(nearestKey('profils', ['profile', 'profiles'])).toBe('profiles');
    expect(nearestKey('denySourceRange', ['denySourceRanges', 'allowSourceRanges'])).toBe('denySourceRanges');
    expect(nearestKey('colour', ['name', 'port'])).toBeUndefined();
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('ab', 'ba', 2)).toBe(2);
  });

  it('never throws on any value: it returns an issue or undefined', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withNullPrototype: true }), (v) => {
        for (const spec of [PROPS, json, union('x', PROPS, str()), tagged('mode', { a: obj({ mode: req(str()) }) })]) {
          checkSpec(v, spec, 'v');
          try {
            assertProps(v, spec);
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidPropertyError);
          }
        }
      }),
    );
  });

  it('recognizes plain objects only', () => {
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Map())).toBe(false);
  });
});
