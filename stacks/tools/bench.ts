/**
 * `npm run bench`: builds generated platforms of 100, 1,000 and 5,000 routes over 50, 500 and 2,000
 * services in 3 environments and measures, each in a fresh process (so peak memory is its own):
 * validation + conflict detection, compilation to each dialect, the whole synth, a hand-written
 * cdk8s-plus-27 baseline of the same objects, and plain YAML serialization (the floor). Writes
 * docs/benchmarks.md. Never part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  compileRoutes,
  DIALECTS,
  detectConflicts,
  Routes,
  type RoutingPolicy,
  validatePolicies,
  WebApp,
} from 'switchyard';
import { stringify } from 'yaml';

/** Where the hand-measured part of docs/benchmarks.md starts; `npm run bench` rewrites only what is above. */
const HAND_MEASURED = '<!-- Measured by hand with farm-bench; npm run bench keeps this part. -->';
const SIZES = [
  { routes: 100, services: 50 },
  { routes: 1000, services: 500 },
  { routes: 5000, services: 2000 },
];
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const ROUTES_PER_HOST = 10;
const IMAGE = 'ghcr.io/acme/app:1.0.0';

/** A platform of `routes` rules over `services` Services: a weighted '/' per host, prefix rules after it. */
export function generatePolicies(routes: number, services: number, namespace: string): RoutingPolicy[] {
  const policies: RoutingPolicy[] = [];
  for (let h = 0; h * ROUTES_PER_HOST < routes; h++) {
    const count = Math.min(ROUTES_PER_HOST, routes - h * ROUTES_PER_HOST);
    const svc = (i: number) => `svc-${(h * ROUTES_PER_HOST + i) % services}`;
    policies.push({
      name: `site-${h}`,
      namespace,
      hosts: [`site-${h}.example.com`],
      tls: { secretName: `site-${h}-tls` },
      rules: Array.from({ length: count }, (_, i) =>
        i === 0
          ? {
              name: 'root',
              backends: [
                { service: svc(0), port: 8080, weight: 90 },
                { service: svc(1), port: 8080, weight: 10 },
              ],
            }
          : {
              name: `r${i}`,
              matches: [{ path: { type: 'PathPrefix' as const, value: `/api/v${i}` } }],
              backends: [{ service: svc(i), port: 8080 }],
            },
      ),
    });
  }
  return policies;
}

function timed<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

/** One measurement, run in this (child) process; prints JSON { ms, peakMiB, objects }. */
function measure(kind: string, routes: number, services: number): void {
  let objects = 0;
  const { ms } = timed(() => {
    for (const env of ENVIRONMENTS) {
      const policies = generatePolicies(routes, services, `shop-${env}`);
      if (kind === 'validate') {
        validatePolicies(policies);
        objects += detectConflicts(policies).length;
      } else if (kind.startsWith('compile:')) {
        objects += compileRoutes(policies, { dialect: kind.slice(8) as (typeof DIALECTS)[number] }).objects.length;
      } else if (kind === 'synth' || kind === 'baseline' || kind === 'yaml') {
        const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-')) });
        const chart = new Chart(app, env, { disableResourceNameHashes: true });
        if (kind === 'baseline') buildByHand(chart, policies, services, `shop-${env}`);
        else {
          for (let s = 0; s < services; s++) new WebApp(chart, `svc-${s}`, { namespace: `shop-${env}`, image: IMAGE });
          new Routes(chart, 'routes', { policies, target: { dialect: 'gateway-api' } });
        }
        if (kind === 'yaml') {
          const json = chart.toJson();
          const start = performance.now();
          stringify(json);
          objects += json.length;
          yamlOnlyMs += performance.now() - start;
        } else {
          app.synth();
          objects += chart.toJson().length;
        }
      }
    }
  });
  console.log(
    JSON.stringify({
      ms: kind === 'yaml' ? yamlOnlyMs : ms,
      peakMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      objects,
    }),
  );
}
let yamlOnlyMs = 0;

/**
 * The same object set written by hand with cdk8s-plus-27: ServiceAccount, Deployment (same probes,
 * resources and security settings) and Service per service, and the routes as plain objects, with no
 * validation or checks.
 */
export function buildByHand(chart: Chart, policies: RoutingPolicy[], services: number, namespace: string): void {
  for (let s = 0; s < services; s++) {
    const name = `svc-${s}`;
    // The same construct ids as WebApp, so cdk8s's address labels match too.
    const scope = new Construct(chart, name);
    const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
    const labels = {
      ...selector,
      'app.kubernetes.io/version': '1.0.0',
      'app.kubernetes.io/component': 'web',
      'app.kubernetes.io/managed-by': 'switchyard',
    };
    const metadata = { name, namespace, labels };
    const serviceAccount = new kplus.ServiceAccount(scope, 'ServiceAccount', { metadata, automountToken: false });
    const tmp = kplus.Volume.fromEmptyDir(scope, 'Tmp', 'tmp');
    const deployment = new kplus.Deployment(scope, 'Deployment', {
      metadata,
      replicas: 2,
      serviceAccount,
      automountServiceAccountToken: false,
      podMetadata: { labels },
      select: false,
      securityContext: { ensureNonRoot: true, user: 10001, group: 10001, fsGroup: 10001 },
      containers: [
        {
          name: 'app',
          portNumber: 8080,
          volumeMounts: [{ path: '/tmp', volume: tmp }],
          readiness: kplus.Probe.fromHttpGet('/', { port: 8080, periodSeconds: Duration.seconds(5) }),
          liveness: kplus.Probe.fromHttpGet('/', {
            port: 8080,
            initialDelaySeconds: Duration.seconds(10),
            failureThreshold: 6,
          }),
          image: IMAGE,
          imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
          securityContext: {
            ensureNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            user: 10001,
            group: 10001,
          },
          resources: {
            cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
            memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
            ephemeralStorage: { request: Size.gibibytes(1), limit: Size.gibibytes(2) },
          },
        },
      ],
    });
    deployment.select(kplus.LabelSelector.of({ labels: selector }));
    ApiObject.of(deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: selector },
        },
      ]),
      JsonPatch.add('/spec/template/spec/affinity', {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
            },
          ],
        },
      }),
    );
    const service = new kplus.Service(scope, 'Service', {
      metadata,
      ports: [{ name: 'http', port: 8080, targetPort: 8080 }],
    });
    for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
    new ApiObject(scope, 'DisruptionBudget', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata,
      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    });
  }
  for (const p of policies) {
    const rules = p.rules.map((r) => ({
      name: r.name,
      matches: (r.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]).map((m) => ({ path: m.path })),
      backendRefs: (r.backends ?? []).map((b) => ({ name: b.service, port: b.port, weight: b.weight ?? 1 })),
    }));
    new ApiObject(chart, `${p.name}-redirect`, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: `${p.name}-https-redirect`, namespace },
      spec: {
        parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'http' }],
        hostnames: p.hosts,
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
      },
    } as never);
    new ApiObject(chart, `${p.name}-grant`, {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: {
        name: `${p.name}-certificate-gateway-system`,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'switchyard', 'switchyard.io/routing-policy': p.name },
      },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'gateway-system' }],
        to: [{ group: '', kind: 'Secret', name: `${p.name}-tls` }],
      },
    } as never);
    for (let i = 0; i < rules.length; i += 16) {
      new ApiObject(chart, `${p.name}-route-${i}`, {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: i ? `${p.name}-${i / 16 + 1}` : p.name, namespace },
        spec: {
          parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }],
          hostnames: p.hosts,
          rules: rules.slice(i, i + 16),
        },
      } as never);
    }
  }
}

/** Conflict detection alone on 10,000 rules, to check it stays O(n) (hashing) as designed. */
function conflictScaling(): { rules: number; ms: number }[] {
  return [1000, 10_000, 50_000].map((rules) => {
    const policies = generatePolicies(rules, 100, 'shop');
    detectConflicts(policies); // warm up
    const { ms } = timed(() => detectConflicts(policies));
    return { rules, ms };
  });
}

function run(kind: string, size: (typeof SIZES)[number]): { ms: number; peakMiB: number; objects: number } {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', __filename, '--child', kind, String(size.routes), String(size.services)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!);
}

function main(): void {
  const kinds = ['validate', ...DIALECTS.map((d) => `compile:${d}`), 'synth', 'baseline', 'yaml'];
  const results: Record<string, Record<string, { ms: number; peakMiB: number; objects: number }>> = {};
  for (const size of SIZES) {
    const label = `${size.routes} routes / ${size.services} services`;
    results[label] = {};
    for (const kind of kinds) {
      results[label]![kind] = run(kind, size);
      console.error(`${label} ${kind}: ${JSON.stringify(results[label]![kind])}`);
    }
  }
  const scaling = conflictScaling();
  const labels = Object.keys(results);
  const row = (kind: string, name: string) =>
    `| ${name} | ${labels.map((l) => `${results[l]![kind]!.ms.toFixed(0)} ms / ${results[l]![kind]!.peakMiB} MiB`).join(' | ')} |`;
  const ratio = labels.map((l) => (results[l]!.synth!.ms / results[l]!.baseline!.ms).toFixed(2));
  const perRoute = labels.map((l, i) => (results[l]!.synth!.ms / (SIZES[i]!.routes * ENVIRONMENTS.length)).toFixed(2));
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const doc = [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench` (stacks/tools/bench.ts). -->',
    '',
    `Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.platform()} ${os.release()}.`,
    `Each cell runs in a fresh process over ${ENVIRONMENTS.length} environments; peak memory is the process's maximum resident set.`,
    '',
    `| step | ${labels.join(' | ')} |`,
    `| --- | ${labels.map(() => '---').join(' | ')} |`,
    row('validate', 'validation + conflict detection'),
    ...DIALECTS.map((d) => row(`compile:${d}`, `compile to ${d}`)),
    row('synth', 'whole synth (Switchyard: WebApp + Routes)'),
    row('baseline', 'hand-written cdk8s-plus-27 (same objects)'),
    row('yaml', 'YAML serialization only (the floor)'),
    '',
    `Synth relative to the hand-written baseline: ${labels.map((l, i) => `${l}: ${ratio[i]}×`).join('; ')} (target at most 1.2×).`,
    `Synth time per route: ${labels.map((l, i) => `${l}: ${perRoute[i]} ms`).join('; ')} (linear when these stay flat).`,
    '',
    'Conflict detection alone (one hash pass, O(n)):',
    '',
    '| rules | time |',
    '| --- | --- |',
    ...scaling.map((s) => `| ${s.rules.toLocaleString('en')} | ${s.ms.toFixed(1)} ms |`),
    '',
  ].join('\n');
  // Figures measured with farm-bench (load times, install sizes) follow HAND_MEASURED: keep them.
  const target = path.resolve(__dirname, '../../docs/benchmarks.md');
  const kept = fs.existsSync(target) ? fs.readFileSync(target, 'utf8').split(HAND_MEASURED)[1] : undefined;
  fs.writeFileSync(target, kept === undefined ? doc : `${doc}\n${HAND_MEASURED}${kept}`);
  console.log(doc);
}

if (process.argv[2] === '--child') measure(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
else if (require.main === module) main();
