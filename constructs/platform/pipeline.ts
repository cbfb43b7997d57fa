/**
 * The platform's pipeline: the GitHub Actions workflows generated from the same environment list, in
 * promotion order, that synth and deploy read.
 */
import { InvalidPropertyError, show } from '../core/validate';
import type { PipelineEnvironment, PipelineProps } from '../pipeline/model';
import { type GeneratedFile, generateWorkflows } from '../pipeline/workflows';
import type { Platform } from './define';
import { environmentClusterTraits } from './environment-app';

/**
 * The pipeline props of `platform`: every environment whose `pipeline` is not `false`, in promotion order.
 * @throws InvalidPropertyError when the platform or an environment has no pipeline settings
 */
export function platformPipelineProps(platform: Platform): PipelineProps {
  const settings = platform.definition.pipeline;
  if (!settings) {
    throw new InvalidPropertyError(
      'pipeline',
      "the platform has no 'pipeline' settings: set definePlatform({ pipeline: { stateBackend, signatures } })",
    );
  }
  const environments: PipelineEnvironment[] = [];
  for (const [i, env] of platform.environments.entries()) {
    if (env.pipeline === false) continue;
    if (env.pipeline === undefined) {
      throw new InvalidPropertyError(
        `environments[${i}].pipeline`,
        `environments[${i}] (${env.name}) has no 'pipeline': give its deploy and read-only credentials, or set pipeline: false to leave it out`,
      );
    }
    environments.push({ name: env.name, ...env.pipeline });
  }
  if (environments.length === 0) {
    throw new InvalidPropertyError(
      'environments',
      'every environment sets pipeline: false: the pipeline would deploy nothing',
    );
  }
  // The kind cluster of the end-to-end job runs the minor of the environment it applies.
  const e2e = settings.endToEndEnvironment ?? environments[0]!.name;
  const target = platform.environments.find((env) => env.name === e2e);
  if (!target) return { ...settings, environments }; // generateWorkflows names the unknown environment
  const kubernetesVersion = environmentClusterTraits(target).kubernetesVersion;
  if (settings.kubernetesVersion !== undefined && settings.kubernetesVersion !== kubernetesVersion) {
    throw new InvalidPropertyError(
      'pipeline.kubernetesVersion',
      `'pipeline.kubernetesVersion' (${show(settings.kubernetesVersion)}) must be the minor of ${e2e}'s cluster (${show(kubernetesVersion)}): drop it, the pipeline follows the cluster`,
    );
  }
  return { ...settings, environments, kubernetesVersion };
}

/**
 * The workflows of `platform` (see {@link platformPipelineProps}), checked by `generateWorkflows`.
 * @throws InvalidPropertyError when the platform or an environment has no pipeline settings
 */
export function platformPipeline(platform: Platform): GeneratedFile[] {
  return generateWorkflows(platformPipelineProps(platform));
}
