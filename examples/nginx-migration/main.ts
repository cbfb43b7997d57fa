/**
 * Moving off ingress-nginx: one set of policies compiled for the legacy controller the cluster runs
 * today and for Gateway API, so both can run side by side while DNS moves over.
 * `npx tsx examples/nginx-migration/main.ts` prints both, with the warnings.
 */
import { App, Chart } from 'cdk8s';
import { type CompileTarget, Routes, type RoutingPolicy } from 'switchyard';

export const policies: RoutingPolicy[] = [
  {
    name: 'blog',
    namespace: 'blog',
    hosts: ['blog.example.com'],
    tls: { clusterIssuer: 'letsencrypt-prod' },
    allowSourceRanges: ['0.0.0.0/0'],
    // ingress-nginx bounds the gap between two reads, not the attempt: close enough for the blog.
    acceptApproximations: ['timeouts.backend-request'],
    rules: [
      {
        name: 'site',
        backends: [
          { service: 'blog', port: 8080, weight: 95 },
          { service: 'blog-next', port: 8080, weight: 5 },
        ],
        timeouts: { backendRequest: '30s' },
      },
      {
        name: 'beta',
        matches: [{ headers: [{ name: 'x-beta', value: 'on' }] }],
        backends: [{ service: 'blog-next', port: 8080 }],
      },
    ],
  },
];

export const targets: Record<'legacy' | 'gateway', CompileTarget> = {
  legacy: { dialect: 'ingress-nginx', ingressClassName: 'nginx' },
  gateway: {
    dialect: 'gateway-api',
    implementation: 'envoy-gateway',
    gateway: { name: 'public', namespace: 'gateway-system' },
  },
};

/** Builds one chart per target into `app`. */
export function build(app: App): Record<keyof typeof targets, Routes> {
  const legacy = new Routes(new Chart(app, 'legacy', { disableResourceNameHashes: true }), 'routes', {
    policies: [withoutCanaryHeader()],
    target: targets.legacy,
  });
  const gateway = new Routes(new Chart(app, 'gateway', { disableResourceNameHashes: true }), 'routes', {
    policies,
    target: targets.gateway,
  });
  return { legacy, gateway };
}

/** nginx allows one canary per host and path: on the legacy side the header canary waits for the move. */
function withoutCanaryHeader(): RoutingPolicy {
  const [blog] = policies;
  return { ...blog!, rules: blog!.rules.filter((r) => r.name !== 'beta') };
}

if (require.main === module) {
  const app = new App();
  const routes = build(app);
  for (const [name, r] of Object.entries(routes))
    console.error(`# ${name} warnings:\n${r.warnings.map((w) => `#   ${w}`).join('\n')}`);
  console.log(app.synthYaml());
}
