import * as pulumi from '@pulumi/pulumi';
import { describe, expect, it, vi } from 'vitest';
import { ENVIRONMENTS } from '../../stacks/environments';
import { environmentObjects } from '../../stacks/synth';
import { promiseOf, settle, useMocks } from '../helpers/pulumi';

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('Pulumi program, stack %s', (stack, env) => {
  it('registers a provider and the environment objects, the same ones cdk8s synthesizes', async () => {
    const registered = useMocks(stack, { 'switchyard:kubeContext': `kind-${stack}` });
    vi.resetModules();
    const program = await import('../../stacks/pulumi/index');
    await settle();
    expect(program.environment).toBe(stack);
    expect(program.namespace).toBe(env.namespace);
    expect(await promiseOf(program.objectCount)).toBe(environmentObjects(env).length);

    const provider = registered.find((r) => r.type === 'pulumi:providers:kubernetes');
    expect(provider?.inputs).toMatchObject({ context: `kind-${stack}` });
    const component = registered.find((r) => r.type === 'switchyard:deploy:KubernetesManifests');
    expect(component?.name).toBe(`${stack}-platform`);
    const groups = registered.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0]!.inputs.objs).toEqual(environmentObjects(env));
  });
});

describe('Pulumi program, unknown stack', () => {
  it('fails with an error that names the stack and the known environments', async () => {
    useMocks('qa');
    vi.resetModules();
    await expect(import('../../stacks/pulumi/index')).rejects.toThrow(
      /Unknown stack "qa": Switchyard defines the environments dev, staging, prod/,
    );
  });

  it('reads the stack name from pulumi.getStack()', () => {
    useMocks('staging');
    expect(pulumi.getStack()).toBe('staging');
  });
});
