import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';

/** Arguments of {@link KubernetesManifests}. */
export interface KubernetesManifestsArgs {
  /** Kubernetes objects as plain JSON, typically a cdk8s chart's `toJson()`: applied as given. */
  readonly objects: readonly Record<string, unknown>[];
}

/**
 * Applies plain Kubernetes objects (the same ones `cdk8s synth` writes) to the cluster of the
 * Kubernetes provider it is given through `opts.providers` / `opts.provider`, as one
 * `kubernetes:yaml/v2:ConfigGroup`, so both engines deploy identical manifests.
 */
export class KubernetesManifests extends pulumi.ComponentResource {
  /** How many objects this component applies. */
  public readonly objectCount: pulumi.Output<number>;

  public constructor(name: string, args: KubernetesManifestsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('switchyard:deploy:KubernetesManifests', name, {}, opts);
    if (args.objects.length === 0) {
      throw new pulumi.ResourceError(
        `KubernetesManifests '${name}': 'objects' is empty; pass at least one object`,
        this,
      );
    }
    new k8s.yaml.v2.ConfigGroup(`${name}-objects`, { objs: args.objects.map((o) => ({ ...o })) }, { parent: this });
    this.objectCount = pulumi.output(args.objects.length);
    this.registerOutputs({ objectCount: this.objectCount });
  }
}
