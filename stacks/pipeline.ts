/**
 * The reference platform's pipeline (`npm run pipeline`): GitHub Actions workflows generated from the
 * environment list, written to .github/workflows/. A test fails when the committed files are stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateWorkflows, type PipelineEnvironment, type PipelineProps } from '../constructs';
import { AWS_ACCOUNT, AWS_REGION, deployRoleArn, ENVIRONMENTS } from './environments';

export const PIPELINE: PipelineProps = {
  environments: ENVIRONMENTS.map(
    (env): PipelineEnvironment => ({
      name: env.name,
      credentials:
        env.cluster.kind === 'eks'
          ? {
              provider: 'aws',
              roleArn: deployRoleArn(env.name),
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
