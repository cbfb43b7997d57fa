/**
 * The reference platform's pipeline (`npm run pipeline`): GitHub Actions workflows generated from the
 * environment list, written to .github/workflows/. A test fails when the committed files are stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateWorkflows, type PipelineEnvironment, type PipelineProps } from '../constructs';
import { ENVIRONMENTS } from './environments';

// The AWS account id is AWS's documentation example; a team puts its deploy roles here (see the README).
const AWS_ACCOUNT = '111122223333';
const AWS_REGION = 'eu-west-1';

export const PIPELINE: PipelineProps = {
  environments: ENVIRONMENTS.map(
    (env): PipelineEnvironment => ({
      name: env.name,
      credentials:
        env.cluster.kind === 'eks'
          ? {
              provider: 'aws',
              roleArn: `arn:aws:iam::${AWS_ACCOUNT}:role/switchyard-${env.name}-deploy`,
              region: AWS_REGION,
            }
          : { provider: 'kubeconfig', secret: `${env.name.toUpperCase()}_KUBECONFIG` },
      smokeTestUrl: `https://shop.${env.domain}/`,
    }),
  ),
  stateBackend: { kind: 'self-managed', url: `s3://switchyard-pulumi-state-${AWS_ACCOUNT}?region=${AWS_REGION}` },
  signatures: { certificateIdentityRegexp: '^https://github\\.com/(nginxinc|acme)/' },
};

/** Writes the workflows under `root` (the repository), creating the folder; returns the paths written. */
export function writePipeline(root: string): string[] {
  return generateWorkflows(PIPELINE).map((file) => {
    const target = path.join(root, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
    return file.path;
  });
}

if (require.main === module) {
  for (const written of writePipeline(path.resolve(__dirname, '..'))) console.log(`wrote ${written}`);
}
