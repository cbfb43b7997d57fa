/** Workload hygiene: pinned images from allowed registries, resources, probes, and high availability. */
import { parseImage } from '../../core/validate';
import { findingOn, type GuardrailRule, type Manifest, type RawFinding } from '../findings';
import { containersOf, type Json, podsOf } from '../pods';

function eachContainer(
  objects: readonly Manifest[],
  visit: (c: Json, at: string, object: Manifest, batch: boolean, init: boolean) => void,
) {
  for (const { object, pod } of podsOf(objects)) {
    for (const { container, path, init } of containersOf(pod)) visit(container, path, object, pod.batch, init);
  }
}

/** Images name a tag other than latest, or a digest. */
export const IMAGE_TAG: GuardrailRule = {
  id: 'image-tag',
  description: 'Images name a tag other than latest, or a digest',
  severity: 'danger',
  scope: 'object',
  check: ({ objects }) => {
    const findings: RawFinding[] = [];
    eachContainer(objects, (c, at, object) => {
      const image = String(c.image ?? '');
      const { tag, digest } = parseImage(image);
      if (!digest && (!tag || tag === 'latest')) {
        findings.push(
          findingOn(
            object,
            `${at}.image`,
            `container '${c.name}' image '${image}' is not pinned (${tag ? "tag 'latest'" : 'no tag'})`,
            'pin a release tag, or better a digest (image:tag@sha256:...)',
          ),
        );
      }
    });
    return findings;
  },
};

/** Images are pinned by digest (blocking in production). */
export const IMAGE_DIGEST: GuardrailRule = {
  id: 'image-digest',
  description: 'Images are pinned by digest, so what was scanned and signed is what runs',
  severity: 'info',
  scope: 'object',
  productionSeverity: 'warning',
  check: ({ objects }) => {
    const findings: RawFinding[] = [];
    eachContainer(objects, (c, at, object) => {
      const image = String(c.image ?? '');
      const { tag, digest } = parseImage(image);
      if (!digest && tag && tag !== 'latest') {
        findings.push(
          findingOn(
            object,
            `${at}.image`,
            `container '${c.name}' image '${image}' is pinned by tag only; tags can move`,
            'append the digest the pipeline verified: image:tag@sha256:...',
          ),
        );
      }
    });
    return findings;
  },
};

/** Images come from the allowed registries. */
export const IMAGE_REGISTRY: GuardrailRule = {
  id: 'image-registry',
  description: 'Images come from the allowed registries',
  severity: 'danger',
  scope: 'object',
  check: ({ objects, options }) => {
    const allowed = options.allowedRegistries;
    if (!allowed) return [];
    const findings: RawFinding[] = [];
    eachContainer(objects, (c, at, object) => {
      const { name } = parseImage(String(c.image ?? ''));
      if (!allowed.some((r) => name.startsWith(`${r.replace(/\/+$/, '')}/`))) {
        findings.push(
          findingOn(
            object,
            `${at}.image`,
            `container '${c.name}' image '${c.image}' is not from an allowed registry (${allowed.join(', ')})`,
            'mirror the image into an allowed registry, or add its registry to allowedRegistries',
          ),
        );
      }
    });
    return findings;
  },
};

/** Containers request and limit CPU and memory. */
export const RESOURCES: GuardrailRule = {
  id: 'resources',
  description: 'Containers request and limit CPU and memory',
  severity: 'warning',
  scope: 'object',
  check: ({ objects }) => {
    const findings: RawFinding[] = [];
    eachContainer(objects, (c, at, object, _batch, init) => {
      if (init) return;
      const missing = (['requests', 'limits'] as const).flatMap((kind) =>
        (['cpu', 'memory'] as const).filter((r) => c.resources?.[kind]?.[r] === undefined).map((r) => `${kind}.${r}`),
      );
      if (missing.length) {
        findings.push(
          findingOn(
            object,
            `${at}.resources`,
            `container '${c.name}' has no ${missing.join(', ')}`,
            'set resources.requests and resources.limits for cpu and memory',
          ),
        );
      }
    });
    return findings;
  },
};

/** Long-running containers have readiness and liveness probes. */
export const PROBES: GuardrailRule = {
  id: 'probes',
  description: 'Long-running containers have readiness and liveness probes',
  severity: 'warning',
  scope: 'object',
  check: ({ objects }) => {
    const findings: RawFinding[] = [];
    eachContainer(objects, (c, at, object, batch, init) => {
      if (batch || init) return;
      for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
        if (!c[probe]) {
          findings.push(
            findingOn(
              object,
              `${at}.${probe}`,
              `container '${c.name}' has no ${probe}`,
              `add a ${probe} (readiness gates traffic; liveness restarts a stuck process)`,
            ),
          );
        }
      }
    });
    return findings;
  },
};

/** Containers run with a read-only root filesystem. */
export const READ_ONLY_ROOT: GuardrailRule = {
  id: 'read-only-root-filesystem',
  description: 'Containers run with a read-only root filesystem',
  severity: 'warning',
  scope: 'object',
  check: ({ objects }) => {
    const findings: RawFinding[] = [];
    eachContainer(objects, (c, at, object) => {
      if (c.securityContext?.readOnlyRootFilesystem !== true) {
        findings.push(
          findingOn(
            object,
            `${at}.securityContext.readOnlyRootFilesystem`,
            `container '${c.name}' can write to its root filesystem`,
            'set readOnlyRootFilesystem: true and mount an emptyDir where the app writes',
          ),
        );
      }
    });
    return findings;
  },
};

const REPLICATED = new Set(['Deployment', 'StatefulSet']);

function scaledByHpa(object: Manifest, objects: readonly Manifest[]): boolean {
  return objects.some((o: Json) => {
    const ref = o.spec?.scaleTargetRef;
    return (
      o.kind === 'HorizontalPodAutoscaler' &&
      o.metadata?.namespace === object.metadata?.namespace &&
      ref?.kind === object.kind &&
      ref?.name === object.metadata?.name &&
      (o.spec?.minReplicas ?? 1) >= 2
    );
  });
}

function coveredByPdb(
  object: Manifest,
  labels: Readonly<Record<string, string>>,
  objects: readonly Manifest[],
): boolean {
  return objects.some((o: Json) => {
    if (o.kind !== 'PodDisruptionBudget' || o.metadata?.namespace !== object.metadata?.namespace) return false;
    const match: Record<string, string> = o.spec?.selector?.matchLabels ?? {};
    return Object.keys(match).length > 0 && Object.entries(match).every(([k, v]) => labels[k] === v);
  });
}

/** Long-running workloads have two or more replicas and a PodDisruptionBudget. */
export const HIGH_AVAILABILITY: GuardrailRule = {
  id: 'high-availability',
  description:
    'Deployments and StatefulSets run at least 2 replicas (or an HPA with minReplicas >= 2) and have a PodDisruptionBudget',
  severity: 'warning',
  scope: 'object-set',
  check: ({ objects }) => {
    const findings: RawFinding[] = [];
    for (const { object, pod } of podsOf(objects)) {
      if (!REPLICATED.has(String(object.kind))) continue;
      const replicas = (object as Json).spec?.replicas ?? 1;
      if (replicas < 2 && !scaledByHpa(object, objects)) {
        findings.push(
          findingOn(
            object,
            'spec.replicas',
            `${replicas} replica(s): one node drain or crash takes the service down`,
            'run at least 2 replicas, or attach a HorizontalPodAutoscaler with minReplicas >= 2',
          ),
        );
      }
      if (!coveredByPdb(object, pod.labels, objects)) {
        findings.push(
          findingOn(
            object,
            'spec.template.metadata.labels',
            'no PodDisruptionBudget selects these pods: a node drain may evict them all at once',
            'add a PodDisruptionBudget with maxUnavailable: 1 selecting the pod labels',
          ),
        );
      }
    }
    return findings;
  },
};
