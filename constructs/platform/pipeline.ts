/**
 * The platform's pipeline: the GitHub Actions workflows generated from the same environment list, in
 * promotion order, that synth and deploy read.
 */
import { InvalidPropertyError } from '../core/validate';
import type { PipelineEnvironment, PipelineProps } from '../pipeline/model';
import { type GeneratedFile, generateWorkflows } from '../pipeline/workflows';
import type { Platform } from './define';

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
  return { ...settings, environments };
}

/**
 * The workflows of `platform` (see {@link platformPipelineProps}), checked by `generateWorkflows`.
 * @throws InvalidPropertyError when the platform or an environment has no pipeline settings
 */
export function platformPipeline(platform: Platform): GeneratedFile[] {
  return generateWorkflows(platformPipelineProps(platform));
}
