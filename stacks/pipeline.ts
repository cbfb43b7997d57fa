/**
 * The reference platform's pipeline (`npm run pipeline`): GitHub Actions workflows generated from the
 * environment list, written to .github/workflows/. A test fails when the committed files are stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateWorkflows, type PipelineEnvironment, type PipelineProps } from '../constructs';
import { AWS_ACCOUNT, AWS_REGION, deployRoleArn, ENVIRONMENTS, READ_ONLY_ROLE_ARN } from './environments';

// Previews and drift checks assume READ_ONLY_ROLE_ARN (environments.ts); its trust allows
// `repo:<owner>/<repo>:pull_request` and `repo:<owner>/<repo>:ref:refs/heads/main` (docs/pipeline.md).
export { READ_ONLY_ROLE_ARN };

/** The role dev's deploy job assumes to write dev's state in S3 (dev itself is bare metal, reached by kubeconfig). */
export function stateWriterRoleArn(env: string): string {
  return `arn:aws:iam::${AWS_ACCOUNT}:role/switchyard-${env}-state`;
}

const readOnlyRole = { provider: 'aws', roleArn: READ_ONLY_ROLE_ARN, region: AWS_REGION } as const;

export const PIPELINE: PipelineProps = {
  environments: ENVIRONMENTS.map(
    (env): PipelineEnvironment =>
      env.cluster.kind === 'eks'
        ? {
            name: env.name,
            credentials: { provider: 'aws', roleArn: deployRoleArn(env.name), region: AWS_REGION },
            readOnly: readOnlyRole,
            smokeTestUrl: `https://shop.${env.domain}/`,
          }
        : {
            name: env.name,
            // The deploy kubeconfig is an environment secret; the view one a repository secret.
            credentials: { provider: 'kubeconfig', secret: `${env.name.toUpperCase()}_KUBECONFIG` },
            readOnly: { provider: 'kubeconfig', secret: `${env.name.toUpperCase()}_READONLY_KUBECONFIG` },
            stateCredentials: {
              deploy: { provider: 'aws', roleArn: stateWriterRoleArn(env.name), region: AWS_REGION },
              readOnly: readOnlyRole,
            },
            smokeTestUrl: `https://shop.${env.domain}/`,
          },
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
