import { describe, expect, it } from 'vitest';
import type { GuardrailOptions, GuardrailRule, Manifest } from '../../../constructs/guardrails/findings';
import {
  HIGH_AVAILABILITY,
  IMAGE_DIGEST,
  IMAGE_REGISTRY,
  IMAGE_TAG,
  PROBES,
  READ_ONLY_ROOT,
  RESOURCES,
} from '../../../constructs/guardrails/rules/workloads';
import { deployment, goodContainer, goodPodSpec, goodWorkload, LABELS, PDB } from './fixtures';

const run = (rule: GuardrailRule, objects: Manifest[], options: GuardrailOptions = {}) =>
  rule.check({ objects, policies: [], options });
const withContainer = (overrides: Record<string, unknown>) =>
  goodWorkload(goodPodSpec({ containers: [goodContainer(overrides)] }));
const IMAGE_FIELD = 'spec.template.spec.containers[0].image';

describe('image rules', () => {
  it('image-tag: refuses no tag and latest, accepts tags and digests (registry ports are not tags)', () => {
    for (const image of ['nginx', 'nginx:latest', 'registry.local:5000/team/app', 'registry.local:5000/app:latest']) {
      expect(run(IMAGE_TAG, withContainer({ image })), image).toEqual([
        expect.objectContaining({ object: 'Deployment/shop/web', field: IMAGE_FIELD }),
      ]);
    }
    for (const image of ['nginx:1.27', 'registry.local:5000/app:2.0', `nginx@sha256:${'b'.repeat(64)}`]) {
      expect(run(IMAGE_TAG, withContainer({ image })), image).toEqual([]);
    }
  });

  it('image-digest: reminds about tag-only images, quiet for digests', () => {
    expect(run(IMAGE_DIGEST, withContainer({ image: 'ghcr.io/acme/web:1.4.2' }))[0]!.message).toMatch(
      /pinned by tag only/,
    );
    expect(run(IMAGE_DIGEST, goodWorkload())).toEqual([]);
    expect(run(IMAGE_DIGEST, withContainer({ image: 'nginx:latest' }))).toEqual([]); // image-tag's job
  });

  it('image-registry: off without a list; with one, matches whole path segments', () => {
    const evil = withContainer({ image: 'ghcr.io/acme-evil/web:1.0' });
    expect(run(IMAGE_REGISTRY, evil)).toEqual([]);
    const options = { allowedRegistries: ['ghcr.io/acme', 'registry.local:5000/'] };
    expect(run(IMAGE_REGISTRY, evil, options)[0]!.message).toMatch(
      /not from an allowed registry \(ghcr.io\/acme, registry.local:5000\/\)/,
    );
    expect(run(IMAGE_REGISTRY, goodWorkload(), options)).toEqual([]);
    expect(run(IMAGE_REGISTRY, withContainer({ image: 'registry.local:5000/x:1' }), options)).toEqual([]);
  });
});

describe('resources, probes, read-only root', () => {
  it('resources: names each missing request and limit; init containers are exempt', () => {
    const [finding] = run(RESOURCES, withContainer({ resources: { requests: { cpu: '1' } } }));
    expect(finding).toMatchObject({
      field: 'spec.template.spec.containers[0].resources',
      message: "container 'app' has no requests.memory, limits.cpu, limits.memory",
    });
    expect(run(RESOURCES, goodWorkload(goodPodSpec({ initContainers: [goodContainer({ resources: {} })] })))).toEqual(
      [],
    );
  });

  it('probes: readiness and liveness for long-running pods, not for Jobs', () => {
    const fields = run(PROBES, withContainer({ readinessProbe: undefined, livenessProbe: undefined })).map(
      (f) => f.field,
    );
    expect(fields).toEqual([
      'spec.template.spec.containers[0].readinessProbe',
      'spec.template.spec.containers[0].livenessProbe',
    ]);
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: { template: { spec: goodPodSpec({ containers: [goodContainer({ readinessProbe: undefined })] }) } },
    };
    expect(run(PROBES, [job])).toEqual([]);
  });

  it('read-only-root-filesystem: flags a writable root', () => {
    const writable = goodContainer();
    const findings = run(
      READ_ONLY_ROOT,
      withContainer({ securityContext: { ...writable.securityContext, readOnlyRootFilesystem: false } }),
    );
    expect(findings.map((f) => f.field)).toEqual([
      'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem',
    ]);
    expect(run(READ_ONLY_ROOT, goodWorkload())).toEqual([]);
  });
});

describe('high-availability', () => {
  it('stays quiet with 2 replicas and a matching PodDisruptionBudget', () => {
    expect(run(HIGH_AVAILABILITY, goodWorkload())).toEqual([]);
  });

  it('flags a single replica unless an HPA keeps at least 2', () => {
    const single = [deployment(goodPodSpec(), 1), PDB];
    expect(run(HIGH_AVAILABILITY, single).map((f) => f.field)).toEqual(['spec.replicas']);
    const hpa = (minReplicas: number) => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        minReplicas,
        maxReplicas: 10,
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      },
    });
    expect(run(HIGH_AVAILABILITY, [...single, hpa(2)])).toEqual([]);
    expect(run(HIGH_AVAILABILITY, [...single, hpa(1)])).toHaveLength(1);
  });

  it('flags pods no PodDisruptionBudget in their namespace selects', () => {
    const otherNamespace = { ...PDB, metadata: { name: 'web', namespace: 'other' } };
    const otherLabels = { ...PDB, spec: { maxUnavailable: 1, selector: { matchLabels: { ...LABELS, tier: 'db' } } } };
    const emptySelector = { ...PDB, spec: { maxUnavailable: 1, selector: {} } };
    for (const pdb of [otherNamespace, otherLabels, emptySelector]) {
      expect(run(HIGH_AVAILABILITY, [deployment(), pdb]).map((f) => f.field)).toEqual([
        'spec.template.metadata.labels',
      ]);
    }
  });

  it('ignores DaemonSets and Jobs', () => {
    const ds = { ...deployment(), kind: 'DaemonSet' };
    expect(run(HIGH_AVAILABILITY, [ds])).toEqual([]);
  });
});
