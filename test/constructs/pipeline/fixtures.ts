/** Shared fixtures of the pipeline tests: a small GCP + Azure pipeline and the parsed workflows. */
import * as path from 'node:path';
import { parse } from 'yaml';
import type { PipelineProps } from '../../../constructs/pipeline/model';
import { generateWorkflows } from '../../../constructs/pipeline/workflows';
import { PIPELINE } from '../../../stacks/pipeline';

export type Workflow = { name: string; on: any; permissions: unknown; concurrency?: any; jobs: Record<string, any> };

/** The generated workflows, parsed, by file name without `.yml`. */
export function workflows(props: PipelineProps = PIPELINE): Record<string, Workflow> {
  return Object.fromEntries(generateWorkflows(props).map((f) => [path.basename(f.path, '.yml'), parse(f.content)]));
}

export const SMALL: PipelineProps = {
  environments: [
    {
      name: 'qa',
      credentials: {
        provider: 'gcp',
        workloadIdentityProvider: 'projects/1/locations/global/workloadIdentityPools/gh/providers/gh',
        serviceAccount: 'deploy@p.iam.gserviceaccount.com',
      },
      readOnly: {
        provider: 'gcp',
        workloadIdentityProvider: 'projects/1/locations/global/workloadIdentityPools/gh/providers/gh',
        serviceAccount: 'preview@p.iam.gserviceaccount.com',
      },
    },
    {
      name: 'live',
      stack: 'acme/live',
      credentials: { provider: 'azure', clientId: 'c', tenantId: 't', subscriptionId: 's' },
      readOnly: { provider: 'azure', clientId: 'r', tenantId: 't', subscriptionId: 's' },
    },
  ],
  stateBackend: { kind: 'pulumi-cloud' },
  signatures: { certificateIdentityRegexp: '^https://github\\.com/acme/' },
};
