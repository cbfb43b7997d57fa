import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { definePlatform } from '../../../constructs/platform/define';
import type { Environment, PlatformDefinition, StackSettings } from '../../../constructs/platform/model';
import { BUILT_IN_STACK_KEYS, parseStackSettings } from '../../../constructs/platform/stack-settings';

const existing = (name: string, over: Partial<Environment> = {}): Environment => ({
  name,
  namespace: 'shop',
  cluster: { traits: { kind: 'existing' } },
  ...over,
});
const bareMetal = (name: string): Environment => ({
  name,
  namespace: 'shop',
  cluster: { traits: { kind: 'bare-metal' }, create: { kind: 'bare-metal', servers: ['10.0.0.1'] } },
});
const noSettings: StackSettings = parseStackSettings(() => undefined, 'Pulumi.dev.yaml');

function refusal(definition: unknown): InvalidPropertyError {
  try {
    definePlatform(definition as PlatformDefinition);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPropertyError);
    return error as InvalidPropertyError;
  }
  throw new Error('definePlatform accepted the definition');
}

describe('definePlatform', () => {
  it('keeps the environments in promotion order and finds each by name', () => {
    const platform = definePlatform({ environments: [existing('dev'), existing('staging'), existing('prod')] });
    expect(platform.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(platform.environment('staging').name).toBe('staging');
  });

  it('applies no settings by default: an environment without configure comes back as defined', () => {
    const env = existing('dev');
    const platform = definePlatform({ environments: [env] });
    expect(platform.configured('dev', noSettings)).toBe(env);
  });

  it('names the environments when a stack is unknown', () => {
    const platform = definePlatform({ environments: [existing('dev'), existing('prod')] });
    expect(() => platform.environment('qa')).toThrow(
      /Unknown stack "qa": the platform defines the environments dev, prod.*pulumi stack select/,
    );
  });

  it.each([
    [{}, /environments/],
    [{ environments: [] }, /'environments' is empty/],
    [{ environments: [existing('dev'), existing('dev')] }, /defines "dev" twice/],
    [{ environments: [{ ...existing('dev'), nmespace: 'x' }] }, /nmespace/],
    [{ environments: [existing('Dev')] }, /environments\[0\]\.name/],
    [{ environments: [existing('dev', { namespace: 'my_ns' })] }, /namespace/],
    [{ environments: [{ name: 'dev', namespace: 'a', cluster: { traits: { kind: 'moon' } } }] }, /moon/],
    [{ environments: [existing('dev', { apps: [{ kind: 'lambda', name: 'x', props: {} }] as never })] }, /lambda/],
    [{ environments: [existing('dev', { pipeline: 'yes' as never })] }, /pipeline/],
    [{ environments: [existing('dev')], failOn: 'fatal' }, /failOn/],
    [{ environments: [existing('dev')], extra: 1 }, /extra/],
  ])('refuses a malformed definition %#, naming the field', (definition, message) => {
    expect(refusal(definition).message).toMatch(message);
  });

  it('refuses a created cluster of another kind than the traits', () => {
    const env = {
      ...bareMetal('dev'),
      cluster: { traits: { kind: 'existing' }, create: bareMetal('x').cluster.create },
    };
    const error = refusal({ environments: [env] });
    expect(error.property).toBe('environments[0].cluster.create.kind');
    expect(error.message).toMatch(/must match cluster.traits.kind/);
  });

  it('refuses two apps of one name in an environment', () => {
    const app = { kind: 'web', name: 'web', props: { image: 'nginx:1' } } as const;
    expect(refusal({ environments: [existing('dev', { apps: [app, app] })] }).message).toMatch(/app "web" twice/);
  });

  it('prefixes the traits error with the environment', () => {
    const env = { name: 'dev', namespace: 'a', cluster: { traits: { kind: 'bare-metal', loadBalancer: 'cloud' } } };
    const error = refusal({ environments: [env] });
    expect(error.property).toBe('environments[0].cluster.traits.loadBalancer');
    expect(error.message).toMatch(/environments\[0\] \(dev\)/);
  });

  it.each(BUILT_IN_STACK_KEYS)('refuses a custom stack key that shadows the built-in %s', (key) => {
    const error = refusal({
      environments: [existing('dev')],
      settings: { [key]: { type: 'boolean' } },
      configure: (e: Environment) => e,
    });
    expect(error.property).toBe(`settings.${key}`);
  });

  it('refuses custom keys that are not camelCase words, and settings without configure', () => {
    expect(
      refusal({
        environments: [existing('dev')],
        settings: { 'a-b': { type: 'boolean' } },
        configure: (e: Environment) => e,
      }).property,
    ).toBe('settings.a-b');
    expect(refusal({ environments: [existing('dev')], settings: { replicas: { type: 'boolean' } } }).property).toBe(
      'configure',
    );
    expect(
      refusal({ environments: [existing('dev')], settings: { r: { type: 'float' } }, configure: (e: Environment) => e })
        .message,
    ).toMatch(/float/);
  });
});

describe('Platform.configured', () => {
  const hostKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHc';

  it('applies the bare-metal keys to the cluster it creates', () => {
    const platform = definePlatform({ environments: [bareMetal('dev')] });
    const settings = parseStackSettings(
      (key) => ({ servers: '10.0.0.5,10.0.0.6,10.0.0.7', hostKeys: JSON.stringify({ '10.0.0.5': hostKey }) })[key],
      'Pulumi.dev.yaml',
    );
    const create = platform.configured('dev', settings).cluster.create;
    expect(create).toMatchObject({ kind: 'bare-metal', servers: ['10.0.0.5', '10.0.0.6', '10.0.0.7'] });
    expect(create).toMatchObject({ hostKeys: { '10.0.0.5': hostKey } });
  });

  it('refuses a built-in key the cluster kind does not take, naming the key and the file', () => {
    const platform = definePlatform({ environments: [existing('dev')] });
    const settings = { ...noSettings, servers: ['10.0.0.5'] };
    expect(() => platform.configured('dev', settings, 'stacks/Pulumi.dev.yaml')).toThrow(
      /stacks\/Pulumi.dev.yaml: switchyard:servers does not apply: dev runs on existing, which takes only switchyard:kubeContext/,
    );
  });

  it('opens the EKS endpoint to apiAllowedCidrs, private access kept', () => {
    const env: Environment = {
      name: 'prod',
      namespace: 'shop',
      cluster: { traits: { kind: 'eks' }, create: { kind: 'eks' } as never },
    };
    const platform = definePlatform({ environments: [env] });
    const create = platform.configured('prod', { ...noSettings, apiAllowedCidrs: ['203.0.113.0/24'] }).cluster.create;
    expect(create).toMatchObject({ endpoint: { private: true, publicCidrs: ['203.0.113.0/24'] } });
  });

  it('hands the custom settings to configure after the built-in ones', () => {
    const platform = definePlatform({
      environments: [existing('dev')],
      settings: { replicas: { type: 'integer', min: 1, max: 9 } },
      configure: (env, settings) => ({ ...env, namespace: `shop-${settings.custom.replicas ?? 0}` }),
    });
    const settings = parseStackSettings((key) => (key === 'replicas' ? '3' : undefined), 'Pulumi.dev.yaml', {
      replicas: { type: 'integer', min: 1, max: 9 },
    });
    expect(platform.configured('dev', settings).namespace).toBe('shop-3');
  });
});

describe('parseStackSettings (custom keys)', () => {
  const file = 'Pulumi.dev.yaml';

  it('reads integers in range and refuses every other spelling, naming the key and the file', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50, max: 50 }), (n) => {
        const get = (key: string) => (key === 'replicas' ? String(n) : undefined);
        const parse = () => parseStackSettings(get, file, { replicas: { type: 'integer', min: 1, max: 9 } });
        if (n >= 1 && n <= 9) expect(parse().custom.replicas).toBe(n);
        else expect(parse).toThrow(/Pulumi.dev.yaml: switchyard:replicas/);
      }),
    );
    for (const bad of ['0x4', '1e1', ' 4', '4.0', 'four']) {
      expect(() =>
        parseStackSettings((k) => (k === 'n' ? bad : undefined), file, { n: { type: 'integer', min: 1, max: 9 } }),
      ).toThrow(InvalidPropertyError);
    }
  });

  it('checks booleans, patterns and DNS names; unset keys stay absent', () => {
    const specs = {
      on: { type: 'boolean' },
      tier: { type: 'string', pattern: 'gold|silver' },
      domain: { type: 'dns-subdomain' },
      zones: { type: 'list' },
    } as const;
    const values: Record<string, string> = { on: 'true', tier: 'gold', domain: 'shop.example.com', zones: 'a, b' };
    const settings = parseStackSettings((k) => values[k], file, specs);
    expect(settings.custom).toEqual({ on: true, tier: 'gold', domain: 'shop.example.com', zones: ['a', 'b'] });
    expect(parseStackSettings(() => undefined, file, specs).custom).toEqual({});
    for (const [key, bad] of [
      ['on', 'yes'],
      ['tier', 'goldish'],
      ['domain', 'Shop_Example'],
    ]) {
      expect(() => parseStackSettings((k) => (k === key ? bad : undefined), file, specs)).toThrow(
        new RegExp(`switchyard:${key}`),
      );
    }
  });

  it('never throws anything but InvalidPropertyError on arbitrary strings', () => {
    const specs = {
      n: { type: 'integer', min: 0, max: 5 },
      b: { type: 'boolean' },
      d: { type: 'dns-subdomain' },
    } as const;
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('n', 'b', 'd', 'servers', 'hostKeys', 'apiAllowedCidrs'), (raw, key) => {
        try {
          parseStackSettings((k) => (k === key ? raw : undefined), file, specs);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidPropertyError);
          expect((error as Error).message).toContain(file);
        }
      }),
    );
  });
});
