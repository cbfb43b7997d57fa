import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdk8s';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  addEnvironmentCharts,
  DuplicateObjectError,
  environmentObjects,
  POD_SECURITY_EXCEPTIONS,
  podSecurityExceptionsOf,
  routingSnapshot,
  runGuardrails,
} from '../../constructs';
import { BUILTIN_API_VERSIONS, unservedApiVersions } from '../../constructs/guardrails/api-versions';
import { environmentClusterTraits } from '../../constructs/platform/environment-app';
import { platform } from '../../stacks/platform';
import { assertExprs } from '../constructs/observability/rule-checks';
import { readManifests } from '../helpers/manifests';
import { expectSchemaValid } from '../helpers/schema';

const root = path.resolve(__dirname, '../..');
const FLUX = /toolkit\.fluxcd\.io\//;
const ENVIRONMENTS = platform.environments;
/** What the reference platform defines per environment, stated independently of stacks/platform.ts. */
const CANARY: Record<string, number> = { dev: 50, staging: 20, prod: 5 };
const ISSUER: Record<string, string> = {
  dev: 'letsencrypt-staging',
  staging: 'letsencrypt-staging',
  prod: 'letsencrypt-prod',
};
const byEnv = ENVIRONMENTS.map((e) => [e.name, e] as const);

const SECRET_PATTERNS: [string, RegExp][] = [
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['JWT', /\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/],
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36}\b/],
  ['Slack token', /\bxox[abpr]-[\w-]{10,}/],
  // A key named so (not one ending so, like Grafana's `existingSecret`, which names a Secret).
  ['password assignment', /(?<![a-z])(password|passwd|secret|token)\s*[:=]\s*["']?[^\s"'{}$]{8,}/i],
];

/** The kinds of secret material found in a text. */
function secretMaterial(text: string): string[] {
  return SECRET_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([what]) => what);
}

describe('the secret scanner', () => {
  it('finds what it looks for, and not the references Switchyard writes', () => {
    expect(secretMaterial('password: hunter2hunter2')).toEqual(['password assignment']);
    expect(secretMaterial(`key: ${'-----BEGIN OPENSSH PRIVATE KEY-----'}`)).toEqual(['private key']);
    expect(secretMaterial('id: AKIAIOSFODNN7EXAMPLE')).toEqual(['AWS access key id']);
    expect(secretMaterial('secretKeyRef:\n  name: shop-cache\n  key: password\n')).toEqual([]);
    expect(secretMaterial('admin:\n  existingSecret: grafana-admin\n')).toEqual([]);
    expect(secretMaterial('  Password = "correct-horse-battery"')).toEqual(['password assignment']);
  });
});

describe('cdk8s synth of every environment (the `npm run synth` path)', () => {
  let outdir: string;
  let synthOutput = '';
  beforeAll(() => {
    outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-synth-')), 'dist');
    // The real CLI with the project's cdk8s.yaml, as `npm run synth` runs it, into a scratch folder.
    const run = spawnSync('npx', ['cdk8s', 'synth', '--output', outdir], { cwd: root, encoding: 'utf8' });
    expect(run.status, run.stderr + run.stdout).toBe(0);
    synthOutput = run.stdout;
  }, 120_000);

  it('passes its own guardrails (the validation plugin in cdk8s.yaml)', () => {
    expect(synthOutput).toMatch(/Status\s+│ success/);
    expect(synthOutput).toMatch(/findings\s+│ 0 danger, \d+ warning, \d+ info/);
    expect(synthOutput).toContain('Validations ended succesfully'); // sic: cdk8s-cli's spelling
  });
  const dir = (env: string) => path.join(outdir, env);

  it('writes one folder per environment and nothing else', () => {
    expect(fs.readdirSync(outdir).sort()).toEqual(ENVIRONMENTS.map((e) => e.name).sort());
  });

  it('writes each environment in apply order: add-ons, infrastructure, apps, routes, telemetry', () => {
    for (const env of ENVIRONMENTS) {
      expect(fs.readdirSync(dir(env.name)).sort()).toEqual([
        '0000-addons.k8s.yaml',
        '0001-infra.k8s.yaml',
        '0002-apps.k8s.yaml',
        '0003-routes.k8s.yaml',
        '0004-telemetry.k8s.yaml',
        'construct-metadata.json',
        'guardrails.json',
        'routes.md',
        'routing.json',
      ]);
      // The options the guardrails checked the environment with, for the cdk8s plugin to use the same.
      const options = JSON.parse(fs.readFileSync(path.join(dir(env.name), 'guardrails.json'), 'utf8'));
      expect(options).toEqual(env.guardrails ?? {});
    }
  });

  it.each(byEnv)('%s: writes the routing snapshot and a route map that `switchyard routes` reproduces', (name, env) => {
    const snapshot = JSON.parse(fs.readFileSync(path.join(dir(name), 'routing.json'), 'utf8'));
    expect(snapshot).toEqual(JSON.parse(JSON.stringify(routingSnapshot(env))));
    const map = fs.readFileSync(path.join(dir(name), 'routes.md'), 'utf8');
    expect(map).toContain(`# Routes: ${name}`);
    expect(map).toContain('```mermaid\nflowchart LR');
    const cli = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'constructs/cli/main.ts'), 'routes', name, '--dist', outdir],
      { encoding: 'utf8' },
    );
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`^# ${name}\nHOST +ROUTE +MATCH +BACKENDS +FEATURES +SLO +DIALECT\n`));
    expect(cli.stdout).toContain(routingSnapshot(env).policies[0]!.hosts[0]!);
    expect(fs.readFileSync(path.join(dir(name), 'routes.md'), 'utf8')).toBe(map);
  });

  it.each(byEnv)('%s: reads the same under YAML 1.1 (kubectl, Helm and Python parse 1.1)', (name) => {
    for (const file of fs.readdirSync(dir(name)).filter((f) => f.endsWith('.k8s.yaml'))) {
      const text = fs.readFileSync(path.join(dir(name), file), 'utf8');
      const as = (version: '1.1' | '1.2') => parseAllDocuments(text, { version }).map((d) => d.toJS());
      expect(as('1.1'), file).toEqual(as('1.2'));
      // A bare `=` is YAML 1.1's "value" type, which the yaml package does not model: PyYAML refuses it.
      expect(text, file).not.toMatch(/(:|-)\s+=\s*$/m);
    }
  });

  it.each(byEnv)('%s: every object is schema-valid', async (name) => {
    const objects = readManifests(dir(name));
    await expectSchemaValid(objects);
    expect(objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['Namespace', 'HelmRelease', 'Gateway', 'Deployment', 'Service', 'HTTPRoute']),
    );
  });

  it.each(byEnv)('%s: the files hold exactly what the Pulumi program deploys', (name, env) => {
    const { namespaces, flux, manifests } = environmentObjects(env);
    const files = readManifests(dir(name));
    // Pulumi applies namespaces and manifests as written, and installs the Flux releases' charts itself.
    expect(files.filter((o) => !FLUX.test(o.apiVersion))).toEqual([...namespaces, ...manifests]);
    expect(files.filter((o) => FLUX.test(o.apiVersion))).toEqual(flux);
  });

  it.each(byEnv)('%s: add-ons are Flux releases of the pinned charts, in dependency order', (name, env) => {
    const releases = readManifests(dir(name), '0000-addons').filter((o) => o.kind === 'HelmRelease');
    const names = releases.map((r) => r.metadata.name);
    const loadBalancer = env.cluster.traits.kind === 'eks' ? 'aws-load-balancer-controller' : 'metallb';
    const secrets = env.addons?.externalSecrets !== undefined ? ['external-secrets'] : [];
    // The metrics stack's CRDs come before every release that creates monitors; the logs stack before the controller.
    expect(names).toEqual([
      'gateway-api-crds',
      'kube-prometheus-stack',
      'prometheus-node-exporter',
      loadBalancer,
      'cert-manager',
      ...secrets,
      'loki',
      'alloy',
      'envoy-gateway',
    ]);
    for (const r of releases) {
      for (const dep of r.spec.dependsOn ?? [])
        expect(names.indexOf(dep.name)).toBeLessThan(names.indexOf(r.metadata.name));
    }
    expect(releases.find((r) => r.metadata.name === 'envoy-gateway').spec.dependsOn).toEqual([
      { name: 'gateway-api-crds' },
      { name: loadBalancer },
      { name: 'kube-prometheus-stack' },
    ]);
    const infra = readManifests(dir(name), '0001-infra').map((o) => o.kind);
    expect(infra).toEqual(expect.arrayContaining(['ClusterIssuer', 'EnvoyProxy', 'GatewayClass', 'Gateway']));
    expect(infra.includes('IPAddressPool')).toBe(env.cluster.traits.kind === 'bare-metal');
  });

  it.each(byEnv)('%s: routes compile to Gateway API, attached to the Gateway', (name) => {
    const objects = readManifests(dir(name));
    const gateway = objects.find((o) => o.kind === 'Gateway');
    expect(gateway.metadata).toMatchObject({ name: 'public', namespace: 'gateway-system' });
    expect(gateway.spec.listeners.map((l: { name: string }) => l.name)).toEqual(['http', 'https']);
    const routes = objects.filter((o) => o.kind === 'HTTPRoute');
    expect(routes.map((r) => r.metadata.name).sort()).toEqual(['shop', 'shop-https-redirect']);
    const storefront = routes
      .find((r) => r.metadata.name === 'shop')
      .spec.rules.find((r: { name: string }) => r.name === 'storefront');
    expect(storefront.backendRefs).toEqual([
      { name: 'web', port: 8080, weight: 100 - CANARY[name]! },
      { name: 'web-canary', port: 8080, weight: CANARY[name]! },
    ]);
    expect(objects.find((o) => o.kind === 'Certificate').spec.issuerRef.name).toBe(ISSUER[name]);
    expect(objects.filter((o) => o.kind === 'ClusterIssuer').map((o) => o.metadata.name)).toContain(ISSUER[name]);
  });

  it.each(byEnv)('%s: every pod template meets PSS restricted, with no danger finding of any guardrail', (name) => {
    const objects = readManifests(dir(name));
    const findings = runGuardrails(objects, { profile: 'production' });
    expect(findings.filter((f) => f.rule === 'pss-restricted')).toEqual([]);
    expect(findings.filter((f) => f.severity === 'danger')).toEqual([]);
    const templates = objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
    expect(templates.map((o) => o.metadata.name).sort()).toEqual(['cache', 'web', 'web-canary']);
    for (const o of templates) {
      const pod = o.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.containers[0].securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.priorityClassName).toBe('shop');
    }
    expect(objects.find((o) => o.kind === 'PriorityClass')).toMatchObject({
      metadata: { name: 'shop' },
      globalDefault: false,
    });
  });

  it.each(byEnv)('%s: NetworkPolicies allow exactly the routes and the declared dependencies', (name, env) => {
    const policies = readManifests(dir(name), '0002-apps').filter((o) => o.kind === 'NetworkPolicy');
    const byName = new Map(policies.map((p) => [p.metadata.name, p.spec]));
    expect([...byName.keys()]).toEqual(['default-deny', 'web', 'web-canary', 'cache']);
    expect(byName.get('default-deny')).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const peers = (rules: any[], side: 'from' | 'to') =>
      rules.flatMap((r) =>
        r[side].flatMap((p: any) =>
          r.ports.map(
            (port: any) =>
              `${p.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] ?? '.'}/${Object.values(p.podSelector.matchLabels).join(',')}:${port.port}`,
          ),
        ),
      );
    for (const app of ['web', 'web-canary']) {
      // The proxies, and Prometheus on the storefront's metrics endpoint (its serving port).
      expect(peers(byName.get(app).ingress, 'from')).toEqual([
        'envoy-gateway-system/public,gateway-system:8080',
        'monitoring/prometheus,kube-prometheus-stack-prometheus:8080',
      ]);
      expect(peers(byName.get(app).egress, 'to')).toEqual([
        'kube-system/kube-dns:53',
        'kube-system/kube-dns:53',
        './cache:6379',
      ]);
    }
    expect(peers(byName.get('cache').ingress, 'from')).toEqual(['./web,web:6379', './web-canary,web-canary:6379']);
    expect(peers(byName.get('cache').egress, 'to')).toEqual(['kube-system/kube-dns:53', 'kube-system/kube-dns:53']);
    expect(policies.every((p) => p.metadata.namespace === env.namespace)).toBe(true);
  });

  it.each(byEnv)(
    '%s: every built-in apiVersion written is served by the Kubernetes minor of its cluster',
    (name, env) => {
      const objects = readManifests(dir(name)); // every *.k8s.yaml file of dist/<env>
      expect(objects.length).toBeGreaterThan(50);
      const minor = environmentClusterTraits(env).kubernetesVersion;
      expect(minor).toMatch(/^1\.\d{2}$/);
      expect(unservedApiVersions(objects, minor)).toEqual([]);
      // The check bites on this very output: one minor before the newest built-in API it uses, that one is refused.
      const since = (o: any) =>
        BUILTIN_API_VERSIONS.find((e) => e.apiVersion === o.apiVersion && e.kind === o.kind)?.since ?? '1.0';
      const newest = Math.max(...objects.map((o) => Number(since(o).split('.')[1])));
      expect(newest).toBeGreaterThanOrEqual(21); // policy/v1 PodDisruptionBudget at least
      expect(unservedApiVersions(objects, `1.${newest - 1}`).length).toBeGreaterThan(0);
    },
  );

  it.each(byEnv)(
    '%s: every Namespace has a default deny over all its pods, and enforces restricted or a recorded exception',
    async (name, env) => {
      const objects = readManifests(dir(name));
      const namespaces = objects.filter((o) => o.kind === 'Namespace');
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      expect(namespaces.length).toBeGreaterThanOrEqual(4);
      for (const ns of namespaces) {
        const deny = policies.filter(
          (p) =>
            p.metadata.namespace === ns.metadata.name &&
            JSON.stringify(p.spec.podSelector) === '{}' &&
            ['Ingress', 'Egress'].every((t) => p.spec.policyTypes.includes(t)) &&
            p.spec.ingress === undefined &&
            p.spec.egress === undefined,
        );
        expect(
          deny.map((p) => p.metadata.name),
          ns.metadata.name,
        ).toEqual(['default-deny']);
        const labels = ns.metadata.labels;
        // Pinned to the minor the environment's cluster runs (1.33 on every reference cluster), never 'latest'.
        expect(labels['pod-security.kubernetes.io/enforce-version'], ns.metadata.name).toBe(
          `v${environmentClusterTraits(env).kubernetesVersion}`,
        );
        expect(labels['pod-security.kubernetes.io/enforce-version'], ns.metadata.name).toBe('v1.33');
        if (labels['pod-security.kubernetes.io/enforce'] !== 'restricted') {
          const [exception] = podSecurityExceptionsOf([ns]);
          expect(exception?.reason, `${ns.metadata.name} has no recorded exception`).toBe(
            POD_SECURITY_EXCEPTIONS[labels['switchyard.io/pod-security-exception']]?.reason,
          );
          expect(exception?.reason).toBeDefined();
        }
      }
      // Every namespace a policy protects is one the environment creates.
      for (const p of policies) expect(namespaces.map((n) => n.metadata.name)).toContain(p.metadata.namespace);
      await expectSchemaValid(policies);
      // The node agents read the host (node exporter: host network, PID and filesystem; Alloy: /var/log).
      const expected = [...(name === 'dev' ? ['metallb-system'] : []), 'monitoring-node', 'logging-agent'];
      expect(
        podSecurityExceptionsOf(namespaces)
          .map((e) => e.namespace)
          .sort(),
      ).toEqual(expected.sort());
    },
  );

  it.each(byEnv)(
    '%s: measures the storefront: signals, dashboard, and in prod its SLO alerts to the pager',
    async (name, env) => {
      const objects = readManifests(dir(name), '0004-telemetry');
      const prod = name === 'prod';
      expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
        'PrometheusRule/switchyard-route-signals-gateway-api',
        ...(prod
          ? ['PrometheusRule/switchyard-route-slos-gateway-api', 'AlertmanagerConfig/switchyard-slo-alerts']
          : []),
        `ConfigMap/switchyard-routes-dashboard-${name}`,
      ]);
      for (const o of objects) expect(o.metadata.namespace).toBe(env.namespace);
      const rules = objects.filter((o) => o.kind === 'PrometheusRule');
      const own = (metric: string) => metric.startsWith('switchyard:');
      let parsed = 0;
      for (const rule of rules) parsed += assertExprs(rule, 'gateway-api', own);
      expect(parsed).toBeGreaterThan(prod ? 20 : 4);
      // Only the storefront has backends; the legacy redirect has no signal.
      const labelled = rules.flatMap((r) =>
        r.spec.groups.flatMap((g: any) => g.rules.map((x: any) => x.labels?.switchyard_rule)),
      );
      expect(new Set(labelled.filter(Boolean))).toEqual(new Set(['storefront']));
      if (prod) {
        const alerts = rules[1].spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
        expect(new Set(alerts.map((a: any) => a.labels.switchyard_slo))).toEqual(new Set(['availability', 'latency']));
        expect(new Set(alerts.map((a: any) => a.labels.severity))).toEqual(new Set(['page', 'ticket']));
        expect(objects[2].spec.receivers).toEqual([
          expect.objectContaining({
            name: 'shop-oncall',
            pagerdutyConfigs: [expect.objectContaining({ routingKey: { name: 'pagerduty', key: 'routing-key' } })],
          }),
        ]);
      }
      const dashboard = JSON.parse(Object.values(objects.at(-1).data)[0] as string);
      expect(dashboard.panels.map((p: any) => p.type)).toContain('row');
      await expectSchemaValid(objects);
    },
  );

  it.each(byEnv)(
    '%s: runs the metrics and logs stacks, highly available outside dev, Grafana without a password',
    (name) => {
      const releases = readManifests(dir(name), '0000-addons').filter((o) => o.kind === 'HelmRelease');
      const values = (release: string) => releases.find((r) => r.metadata.name === release).spec.values;
      const metrics = values('kube-prometheus-stack');
      const dev = name === 'dev';
      expect(metrics.prometheus.prometheusSpec.replicas).toBe(dev ? 1 : 2);
      expect(metrics.prometheus.prometheusSpec.retention).toBe({ dev: '3d', staging: '7d', prod: '30d' }[name]);
      expect(metrics.grafana.admin).toEqual({
        existingSecret: 'grafana-admin',
        userKey: 'admin-user',
        passwordKey: 'admin-password',
      });
      expect(JSON.stringify(metrics.grafana)).not.toMatch(/adminPassword/);
      const loki = values('loki');
      expect(loki.loki.storage.type).toBe(dev ? 'filesystem' : 's3');
    },
  );

  it('writes no secret material under dist/: only references to Secrets', () => {
    const files = fs.readdirSync(outdir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      expect(secretMaterial(fs.readFileSync(path.join(file.parentPath, file.name), 'utf8')), file.name).toEqual([]);
    }
    for (const env of ENVIRONMENTS) {
      const objects = readManifests(dir(env.name));
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
      const env_ = objects
        .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
        .flatMap((o) => o.spec.template.spec.containers.flatMap((c: any) => c.env ?? []));
      for (const variable of env_) expect(variable.value, variable.name).toBeUndefined();
      // The storefront and its canary read the cache password; the cache requires it.
      expect(env_.map((v: any) => `${v.name}<-${v.valueFrom.secretKeyRef.name}`)).toEqual([
        'CACHE_PASSWORD<-shop-cache',
        'CACHE_PASSWORD<-shop-cache',
        'VALKEY_PASSWORD<-shop-cache',
      ]);
      const external = objects.filter((o) => o.kind === 'ExternalSecret');
      // The cache password, Grafana's login (in the metrics stack's namespace) and, in prod, the pager's key.
      expect(external.map((o) => `${o.metadata.namespace}/${o.spec.target.name}`)).toEqual(
        env.addons?.externalSecrets === undefined
          ? []
          : [
              `${env.namespace}/shop-cache`,
              'monitoring/grafana-admin',
              ...(env.name === 'prod' ? [`${env.namespace}/pagerduty`] : []),
            ],
      );
    }
  });

  it("puts each environment's apps and routes in its own namespace, which the Gateway admits", () => {
    const namespaces = ENVIRONMENTS.map((env) => {
      const namespaced = [
        ...readManifests(dir(env.name), '0002-apps'),
        ...readManifests(dir(env.name), '0003-routes'),
        ...readManifests(dir(env.name), '0004-telemetry'),
      ].filter((o) => !(o.kind === 'ExternalSecret' && o.metadata.name === 'grafana-admin'));
      expect(new Set(namespaced.map((o) => o.metadata.namespace))).toEqual(new Set([env.namespace]));
      const ns = readManifests(dir(env.name), '0000-addons').find(
        (o) => o.kind === 'Namespace' && o.metadata.name === env.namespace,
      );
      expect(ns.metadata.labels).toMatchObject({
        'switchyard.io/gateway': 'public',
        'pod-security.kubernetes.io/enforce': 'restricted',
      });
      return env.namespace;
    });
    expect(new Set(namespaces).size).toBe(ENVIRONMENTS.length);
  });
});

describe('one object per identity in an environment', () => {
  it('rejects two sources emitting the same object, naming both', () => {
    // The shop's namespace named like an add-on's: the catalog and the environment both emit the Namespace.
    const env = { ...ENVIRONMENTS[0]!, namespace: 'cert-manager' };
    let error: unknown;
    try {
      addEnvironmentCharts(new App(), env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DuplicateObjectError);
    expect((error as DuplicateObjectError).object).toBe('core/Namespace/-/cert-manager');
    expect((error as DuplicateObjectError).sources).toEqual([
      'platformAddons().namespaces',
      'environments.dev.namespace',
    ]);
  });

  it.each(byEnv)('%s: assembles without a duplicate', (_, env) => {
    expect(() => addEnvironmentCharts(new App(), env)).not.toThrow();
  });
});
