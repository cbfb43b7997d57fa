/**
 * A deliberately bad platform, to show the guardrails at work: `npx cdk8s synth` here fails with a report
 * naming each problem, its object and field, and the fix. A privileged container from a `latest` image with a
 * password in its environment, and a production route served over plain HTTP without timeouts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import { ROUTING_SNAPSHOT_FILE, Routes, type RoutingPolicy, type RoutingSnapshot } from 'switchyard';

export const policies: RoutingPolicy[] = [
  {
    name: 'legacy',
    namespace: 'legacy',
    hosts: ['legacy.example.com'],
    rules: [{ backends: [{ service: 'legacy', port: 80 }] }],
  },
];
const target = { dialect: 'gateway-api' } as const;

export function build(app: App): Chart {
  const chart = new Chart(app, 'legacy', { namespace: 'legacy' });
  new ApiObject(chart, 'deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'legacy' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'legacy' } },
      template: {
        metadata: { labels: { app: 'legacy' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'nginx:latest',
              securityContext: { privileged: true },
              env: [{ name: 'DB_PASSWORD', value: 'hunter2' }],
            },
          ],
        },
      },
    },
  });
  new Routes(chart, 'routes', { policies, target });
  return chart;
}

if (require.main === module) {
  const outdir = path.join(process.env.CDK8S_OUTDIR ?? 'dist', 'prod');
  const app = new App({ outdir });
  build(app);
  app.synth();
  const snapshot: RoutingSnapshot = { environment: 'prod', target, policies };
  fs.writeFileSync(path.join(outdir, ROUTING_SNAPSHOT_FILE), JSON.stringify(snapshot, null, 2));
}
