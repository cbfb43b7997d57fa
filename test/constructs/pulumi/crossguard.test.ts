import type {
  PolicyResource,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from '@pulumi/policy';
import { describe, expect, it } from 'vitest';
import type { GuardrailOptions, Manifest } from '../../../constructs/guardrails/findings';
import { environmentObjects } from '../../../constructs/platform';
import { guardrailPolicies, manifestOf } from '../../../constructs/pulumi/crossguard';
import { platform } from '../../../stacks/platform';
import { deployment, goodPodSpec, goodWorkload, NETWORK_POLICY, PDB } from '../guardrails/fixtures';

/** How Pulumi names a Kubernetes object's resource type. */
function typeOf(o: Manifest): string {
  const [group, version] = String(o.apiVersion).includes('/')
    ? String(o.apiVersion).split('/')
    : ['core', o.apiVersion];
  return `kubernetes:${group}/${version}:${o.kind}`;
}

function resource(o: Manifest): PolicyResource {
  // Only the fields the policies read; the engine fills in the rest.
  return {
    ...resourceFields(o),
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  } as unknown as PolicyResource;
}

function resourceFields(o: Manifest) {
  return {
    type: typeOf(o),
    props: o as Record<string, unknown>,
    urn: `urn:pulumi:prod::switchyard::${typeOf(o)}::${String(o.metadata?.name)}`,
    name: String(o.metadata?.name),
    opts: {} as never,
  };
}

/** The arguments the Pulumi engine hands a resource policy, built by hand (as pulumi-policy's own tests do). */
function resourceArgs(o: Manifest): ResourceValidationArgs {
  return {
    ...resource(o),
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: () => ({}) as never,
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason}`);
    },
  } as unknown as ResourceValidationArgs;
}

function policies(options: GuardrailOptions = { profile: 'production' }) {
  // Typed as @pulumi/policy's own policy types: this assignment is the compatibility check.
  const list: (ResourceValidationPolicy | StackValidationPolicy)[] = guardrailPolicies(options);
  return Object.fromEntries(list.map((p) => [p.name, p]));
}

async function violations(
  objects: Manifest[],
  options?: GuardrailOptions,
): Promise<{ policy: string; message: string; urn?: string }[]> {
  const found: { policy: string; message: string; urn?: string }[] = [];
  for (const policy of Object.values(policies(options))) {
    if ('validateResource' in policy) {
      for (const o of objects) {
        await (policy.validateResource as ResourceValidation)(resourceArgs(o), (message: string, urn?: string) =>
          found.push({ policy: policy.name, message, ...(urn ? { urn } : {}) }),
        );
      }
    } else {
      const args = {
        resources: objects.map(resource),
        stackTags: new Map(),
        getConfig: () => ({}),
        notApplicable: () => {
          throw new Error('n/a');
        },
      } as unknown as StackValidationArgs;
      await (policy as StackValidationPolicy).validateStack(args, (message, urn) =>
        found.push({ policy: policy.name, message, ...(urn ? { urn } : {}) }),
      );
    }
  }
  return found;
}

describe('manifestOf', () => {
  it('turns Pulumi Kubernetes types into apiVersion and kind', () => {
    expect(manifestOf('kubernetes:core/v1:Pod', { metadata: { name: 'p' } })).toMatchObject({
      apiVersion: 'v1',
      kind: 'Pod',
    });
    expect(manifestOf('kubernetes:apps/v1:Deployment', {})).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
    });
    expect(manifestOf('kubernetes:gateway.networking.k8s.io/v1:HTTPRoute', {})).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
    });
  });

  it('skips other providers, Helm releases and manifest groups', () => {
    expect(manifestOf('aws:s3/bucket:Bucket', {})).toBeUndefined();
    expect(manifestOf('kubernetes:helm.sh/v3:Release', {})).toBeUndefined();
    expect(manifestOf('kubernetes:yaml/v2:ConfigGroup', {})).toBeUndefined();
  });
});

describe('guardrailPolicies (CrossGuard)', () => {
  it('serves every rule but the routing ones, named switchyard-<rule>, enforced by severity', () => {
    const byName = policies();
    expect(Object.keys(byName)).toEqual([
      'switchyard-pss-restricted',
      'switchyard-no-plaintext-secrets',
      'switchyard-rbac-least-privilege',
      'switchyard-image-tag',
      'switchyard-image-registry',
      'switchyard-image-digest',
      'switchyard-resources',
      'switchyard-probes',
      'switchyard-read-only-root-filesystem',
      'switchyard-high-availability',
      'switchyard-network-policy',
    ]);
    expect(byName['switchyard-pss-restricted']).toMatchObject({ enforcementLevel: 'mandatory', severity: 'high' });
    expect(byName['switchyard-image-digest']).toMatchObject({ enforcementLevel: 'advisory', severity: 'medium' });
    expect('validateStack' in byName['switchyard-high-availability']!).toBe(true);
    expect(policies({ levels: { probes: 'off' } })['switchyard-probes']).toMatchObject({
      enforcementLevel: 'disabled',
    });
  });

  it('reports a privileged Deployment with object, field and fix, and is quiet on a good one', async () => {
    expect(await violations(goodWorkload())).toEqual([]);
    const found = await violations([deployment(goodPodSpec({ hostPID: true })), PDB, NETWORK_POLICY]);
    expect(found).toEqual([
      {
        policy: 'switchyard-pss-restricted',
        message:
          "Deployment/shop/web spec.template.spec.hostPID: hostPID is true: the pod shares the node's namespace. Fix: remove hostPID",
      },
    ]);
  });

  it('checks PodDisruptionBudgets across the stack and points at the workload', async () => {
    const found = await violations([deployment(), NETWORK_POLICY]);
    expect(found).toEqual([
      expect.objectContaining({
        policy: 'switchyard-high-availability',
        urn: 'urn:pulumi:prod::switchyard::kubernetes:apps/v1:Deployment::web',
      }),
    ]);
  });

  it('honours exceptions', async () => {
    const exceptions = [{ rule: 'pss-restricted', object: 'Deployment/shop/web', reason: 'node agent' }];
    expect(await violations([deployment(goodPodSpec({ hostPID: true })), PDB, NETWORK_POLICY], { exceptions })).toEqual(
      [],
    );
  });

  it.each(platform.environments.map((e) => [e.name, e] as const))(
    '%s: the reference platform has no mandatory violation',
    async (_name, env) => {
      const { namespaces, manifests } = environmentObjects(env);
      const found = await violations([...namespaces, ...manifests] as Manifest[]);
      const mandatory = new Set(
        guardrailPolicies({ profile: 'production' })
          .filter((p) => p.enforcementLevel === 'mandatory')
          .map((p) => p.name),
      );
      expect(found.filter((v) => mandatory.has(v.policy))).toEqual([]);
    },
  );

  it('rejects malformed options naming the field', () => {
    expect(() => guardrailPolicies({ levels: { nope: 'off' } })).toThrow(/levels names unknown rule "nope"/);
  });
});
