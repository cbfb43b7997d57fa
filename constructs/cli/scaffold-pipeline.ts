/**
 * The pipeline props of a scaffolded platform, so init writes the workflows the new repository's
 * `npm run pipeline` would write from its platform.ts (a test runs both and compares them).
 */
import type { PipelineEnvironment, PipelineProps } from '../pipeline/model';
import type { ResolvedScaffoldOptions } from './scaffold';

/** The placeholders scaffold-platform.ts writes for EKS. */
const AWS_ACCOUNT = '111122223333';
const AWS_REGION = 'eu-west-1';

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
