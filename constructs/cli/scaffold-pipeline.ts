/**
 * The pipeline props of a scaffolded platform: platform.ts is written from them, and init writes the
 * workflows from them, so they are the ones the new repository's `npm run pipeline` writes (a test runs both).
 */
import type { PipelineEnvironment, PipelineProps } from '../pipeline/model';
import type { ResolvedScaffoldOptions } from './scaffold';

/** The placeholders of an EKS platform: AWS's documentation account and a region. */
export const AWS_ACCOUNT = '111122223333';
export const AWS_REGION = 'eu-west-1';

function environment(o: ResolvedScaffoldOptions, name: string): PipelineEnvironment {
  if (o.cluster === 'eks') {
    const role = (suffix: string) => `arn:aws:iam::${AWS_ACCOUNT}:role/${name}-${suffix}`;
    return {
      name,
      credentials: { provider: 'aws', roleArn: role('deploy'), region: AWS_REGION },
      readOnly: { provider: 'aws', roleArn: role('readonly'), region: AWS_REGION },
    };
  }
  const secret = name.toUpperCase().replace(/-/g, '_');
  return {
    name,
    credentials: { provider: 'kubeconfig', secret: `${secret}_KUBECONFIG` },
    readOnly: { provider: 'kubeconfig', secret: `${secret}_READONLY_KUBECONFIG` },
  };
}

/** What the scaffolded platform's `platformPipelineProps` returns. */
export function scaffoldPipelineProps(o: ResolvedScaffoldOptions): PipelineProps {
  return {
    stateBackend: { kind: 'pulumi-cloud' },
    signatures: { certificateIdentityRegexp: '^https://github\\.com/my-org/' },
    environments: o.environments.map((name) => environment(o, name)),
  };
}
