import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compileRoutes } from '../../../constructs/routing/compile';
import { importIngressNginx, renderPoliciesModule } from '../../../constructs/routing/import-nginx';
import { validatePolicies } from '../../../constructs/routing/validate';
import { expectSchemaValid } from '../../helpers/schema';

const fixtures = path.resolve(__dirname, '../../fixtures/nginx');
const load = (file: string) =>
  parseAllDocuments(fs.readFileSync(path.join(fixtures, file), 'utf8')).map((d) => d.toJS());

describe('importIngressNginx', () => {
  const shop = importIngressNginx(load('shop.yaml'));
  const legacy = importIngressNginx(load('legacy.yaml'));

  it('reads a storefront, folding the weight and header canaries into its rules', () => {
    const storefront = shop.policies.find((p) => p.name === 'storefront')!;
    expect(storefront).toMatchObject({
      namespace: 'shop',
      hosts: ['shop.example.com'],
      tls: { secretName: 'storefront-tls', clusterIssuer: 'letsencrypt-prod' },
    });
    expect(storefront.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backends: [
          { service: 'web', port: 8080, weight: 90 },
          { service: 'web-next', port: 8080, weight: 10 },
        ],
        timeouts: { connect: '5s', backendRequest: '60s' },
        maxBodySize: '8m',
        sessionAffinity: { cookieName: 'shop-route', maxAge: '3600s' },
      },
      {
        name: 'canary-1',
        matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'X-Beta', value: 'yes' }] }],
        backends: [{ service: 'web-beta', port: 8080 }],
      },
    ]);
  });

  it('turns the documented rewrite idiom into a prefix rewrite, and reads limits, CORS, allow lists and retries', () => {
    const api = shop.policies.find((p) => p.name === 'api')!;
    expect(api.rules[0]).toMatchObject({
      matches: [{ path: { type: 'PathPrefix', value: '/v1' } }],
      rewrite: { pathPrefix: '/' },
      retries: { attempts: 2, on: ['connect-failure', 'reset', 'gateway-error', 503] },
    });
    expect(api).toMatchObject({
      rateLimit: { requestsPerSecond: 20, burst: 60 },
      allowSourceRanges: ['10.0.0.0/8', '192.168.1.10/32'],
      cors: { allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST'], allowCredentials: true },
    });
  });

  it('reports what it cannot carry over, snippets and auth included', () => {
    const messages = shop.report.map((f) => `${f.object} ${f.annotation ?? ''}: ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /shop\/storefront nginx.ingress.kubernetes.io\/configuration-snippet: snippets are raw nginx configuration/,
        ),
        expect.stringMatching(/shop\/api nginx.ingress.kubernetes.io\/auth-url: not carried over/),
        expect.stringMatching(/proxy-read-timeout: nginx bounds each read and send/),
      ]),
    );
    const legacyMessages = legacy.report.map((f) => `${f.object}: ${f.message}`);
    expect(legacyMessages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/web\/catch-all: rules without a host/),
        expect.stringMatching(/web\/admin: path \/metrics: only Service backends with a port number/),
      ]),
    );
  });

  it('reads redirects, HTTPS backends and deny lists', () => {
    expect(legacy.policies.find((p) => p.name === 'old-domain')!.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        redirect: { scheme: 'https', hostname: 'shop.example.com', path: '/', statusCode: 308 },
      },
    ]);
    const admin = legacy.policies.find((p) => p.name === 'admin')!;
    expect(admin.rules[0]!.backends).toEqual([{ service: 'admin', port: 8443, protocol: 'https' }]);
    expect(admin.denySourceRanges).toEqual(['203.0.113.0/24']);
  });

  it('round-trips realistic manifests into valid policies: Traefik takes all of them with its approximations accepted; Envoy Gateway refuses the body size', async () => {
    const policies = [...shop.policies, ...legacy.policies];
    expect(() => validatePolicies(policies)).not.toThrow();
    // Traefik bounds the wait for response headers, not the attempt, and picks redirect codes by method:
    // approximations the team accepts per policy.
    const accepted = ['timeouts.backend-request', 'redirect', 'redirect.path'] as const;
    const forTraefik = policies.map((p) => ({ ...p, acceptApproximations: [...accepted] }));
    const traefik = compileRoutes(forTraefik, { dialect: 'traefik' });
    await expectSchemaValid(traefik.objects);
    // Moving to Envoy Gateway fails closed on what it cannot do, naming the field...
    const envoy = { dialect: 'gateway-api', implementation: 'envoy-gateway', channel: 'experimental' } as const;
    expect(() => compileRoutes(policies, envoy)).toThrow(
      /storefront.rules\[0\].maxBodySize: gateway-api cannot express 'max-body-size'/,
    );
    // ...and compiles once the team decides what to do about it (and about the per-replica rate limit).
    const decided = policies.map(({ rateLimit, ...p }) => ({
      ...p,
      ...(rateLimit ? { rateLimit: { requestsPerSecond: rateLimit.requestsPerSecond } } : {}),
      acceptApproximations: ['rate-limit' as const],
      rules: p.rules.map(({ maxBodySize: _, ...rule }) => rule),
    }));
    const gateway = compileRoutes(decided, envoy);
    await expectSchemaValid(gateway.objects);
    expect(gateway.objects.filter((o) => o.kind === 'HTTPRoute').map((o) => o.metadata.name)).toEqual(
      expect.arrayContaining(['storefront', 'api', 'old-domain', 'admin']),
    );
  });

  it('keeps both the header and the weight of one canary Ingress (nginx tries the header first, then the weight)', () => {
    const ingress = (name: string, service: string, annotations: Record<string, string>) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace: 'shop', annotations },
      spec: {
        rules: [
          {
            host: 'shop.example.com',
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }],
            },
          },
        ],
      },
    });
    const N = 'nginx.ingress.kubernetes.io/';
    const { policies, report } = importIngressNginx([
      ingress('shop', 'web', {}),
      ingress('shop-canary', 'beta', {
        [`${N}canary`]: 'true',
        [`${N}canary-by-header`]: 'X-Beta',
        [`${N}canary-by-header-value`]: 'yes',
        [`${N}canary-weight`]: '10',
      }),
    ]);
    expect(policies[0]!.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backends: [
          { service: 'web', port: 80, weight: 90 },
          { service: 'beta', port: 80, weight: 10 },
        ],
      },
      {
        name: 'canary-1',
        matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'X-Beta', value: 'yes' }] }],
        backends: [{ service: 'beta', port: 80 }],
      },
    ]);
    expect(report.map((f) => f.message).join('\n')).toMatch(/header or cookie rules take precedence/);
  });

  it('renders a reviewable TypeScript module', () => {
    const source = renderPoliciesModule(shop.policies, ['shop.yaml']);
    expect(source).toMatch(/^\/\/ Imported from ingress-nginx by `switchyard import-nginx` \(shop.yaml\)/);
    expect(source).toContain("import type { RoutingPolicy } from 'switchyard';");
    expect(source).toContain('export const policies: RoutingPolicy[] = [');
  });

  it('ignores objects that are not Ingresses, and never throws on odd input', () => {
    expect(
      importIngressNginx([null, 42, { kind: 'Service' }, { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1' }]),
    ).toEqual({
      policies: [],
      report: [{ object: 'default/', message: expect.stringMatching(/not a DNS label/) }],
    });
  });
});
