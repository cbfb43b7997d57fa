/** Where pod specs live in workload objects, and reading their containers. */
import type { Manifest } from './findings';

// biome-ignore lint/suspicious/noExplicitAny: pod specs are untyped JSON read defensively
export type Json = any;

/** A pod spec found in an object, with the dotted path to it. */
export interface PodSpecAt {
  readonly spec: Json;
  readonly path: string;
  /** The pod template's labels (or the Pod's own). */
  readonly labels: Readonly<Record<string, string>>;
  /** Whether the pods run to completion (Job, CronJob): probes and replicas do not apply. */
  readonly batch: boolean;
}

const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController']);

/** The pod spec of a Pod, workload template or CronJob's job template; undefined for other kinds. */
export function podSpecOf(object: Manifest): PodSpecAt | undefined {
  const o = object as Json;
  if (object.kind === 'Pod')
    return { spec: o.spec ?? {}, path: 'spec', labels: o.metadata?.labels ?? {}, batch: false };
  if (TEMPLATE_KINDS.has(String(object.kind)) || object.kind === 'Job') {
    const template = o.spec?.template ?? {};
    return {
      spec: template.spec ?? {},
      path: 'spec.template.spec',
      labels: template.metadata?.labels ?? {},
      batch: object.kind === 'Job',
    };
  }
  if (object.kind === 'CronJob') {
    const template = o.spec?.jobTemplate?.spec?.template ?? {};
    return {
      spec: template.spec ?? {},
      path: 'spec.jobTemplate.spec.template.spec',
      labels: template.metadata?.labels ?? {},
      batch: true,
    };
  }
  return undefined;
}

/** A container with the dotted path to it. */
export interface ContainerAt {
  readonly container: Json;
  readonly path: string;
  readonly init: boolean;
}

/** Containers, init containers and ephemeral containers, as Pod Security admission visits them. */
export function containersOf(pod: PodSpecAt): ContainerAt[] {
  return (['initContainers', 'containers', 'ephemeralContainers'] as const).flatMap((list) =>
    ((pod.spec[list] ?? []) as Json[]).map((container, i) => ({
      container,
      path: `${pod.path}.${list}[${i}]`,
      init: list !== 'containers',
    })),
  );
}

/** Every object with a pod spec, paired with it. */
export function podsOf(objects: readonly Manifest[]): { object: Manifest; pod: PodSpecAt }[] {
  return objects.flatMap((object) => {
    const pod = podSpecOf(object);
    return pod ? [{ object, pod }] : [];
  });
}
