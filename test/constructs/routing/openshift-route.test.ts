import { describe, expect, it } from 'vitest';
import { SchemaRegistry } from '../../../constructs/guardrails/schema';
import { compileRoutes } from '../../../constructs/routing/compile';
import { UnsupportedFeatureError } from '../../../constructs/routing/errors';
import { scaleWeights } from '../../../constructs/routing/openshift-route';
import type { KubeObject, RoutingPolicy } from '../../../constructs/routing/types';
import { expectSchemaValid } from '../../helpers/schema';
import { basePolicy, withRule } from './fixtures';

async function compile(policies: RoutingPolicy[]) {
  const result = compileRoutes(policies, { dialect: 'openshift-route' });
  await expectSchemaValid(result.objects);
  const routes = result.objects.filter((o) => o.kind === 'Route') as (KubeObject & {
    spec: any;
    metadata: { annotations?: Record<string, string> };
  })[];
  return { ...result, routes };
}

describe('OpenShift Route compiler', () => {
  it('emits a Route per host and path, with the Service, its port and a segment-wise path', async () => {
    const { routes, warnings } = await compile([
      withRule(
        { matches: [{ path: { type: 'PathPrefix', value: '/api/' } }] },
        { hosts: ['shop.example.com', 'www.example.com'] },
      ),
    ]);
    expect(routes.map((r) => [r.metadata.name, r.spec.host, r.spec.path])).toEqual([
      ['shop-web-0', 'shop.example.com', '/api'],
      ['shop-web-1', 'www.example.com', '/api'],
    ]);
    expect(routes[0]!.spec).toMatchObject({
      to: { kind: 'Service', name: 'web', weight: 1 },
      port: { targetPort: 8080 },
    });
    expect(warnings.join('\n')).toMatch(/must equal its targetPort/);
  });

  it('splits over alternateBackends only when the approximation is accepted, with the weights the router keeps exact, and refuses a fifth Service', async () => {
    const split = withRule({
      backends: [
        { service: 'v1', port: 80, weight: 800 },
        { service: 'v2', port: 80, weight: 200 },
        { service: 'v3', port: 80, weight: 0 },
      ],
    });
    // The router divides a Service's weight among its endpoints and truncates: exact only for equal counts.
    expect(() => compileRoutes([split], { dialect: 'openshift-route' })).toThrow(/equal endpoint counts/);
    const { routes } = await compile([{ ...split, acceptApproximations: ['split.weighted-multi'] }]);
    expect(routes[0]!.spec.to).toEqual({ kind: 'Service', name: 'v1', weight: 256 });
    expect(routes[0]!.spec.alternateBackends).toEqual([
      { kind: 'Service', name: 'v2', weight: 64 },
      { kind: 'Service', name: 'v3', weight: 0 },
    ]);
    const ninety = withRule({
      backends: [
        { service: 'v1', port: 80, weight: 900 },
        { service: 'v2', port: 80, weight: 100 },
      ],
    });
    // 9:1 becomes 256:28 in the router (trunc(256 / 9)) even with equal endpoint counts.
    const accepted = await compile([{ ...ninety, acceptApproximations: ['split.weighted'] }]);
    expect(accepted.routes[0]!.spec.alternateBackends).toEqual([{ kind: 'Service', name: 'v2', weight: 1 }]);
    expect(accepted.approximations?.map((a) => a.feature)).toEqual(['split.weighted']);
    expect(scaleWeights([1, 1000])).toEqual([1, 256]);
    const five = withRule(
      { backends: ['a', 'b', 'c', 'd', 'e'].map((service) => ({ service, port: 80 })) },
      { acceptApproximations: ['split.weighted-multi'] },
    );
    expect(() => compileRoutes([five], { dialect: 'openshift-route' })).toThrow(/at most 4 Services/);
  });

  it('terminates TLS at the edge with an external certificate the router may read, and redirects HTTP', async () => {
    const { routes, objects } = await compile([
      basePolicy({ tls: { clusterIssuer: 'le' }, acceptApproximations: ['tls.redirect-http'] }),
    ]);
    expect(() => compileRoutes([basePolicy({ tls: { clusterIssuer: 'le' } })], { dialect: 'openshift-route' })).toThrow(
      /redirects HTTP to HTTPS with 302 Found/,
    );
    expect(routes[0]!.spec.tls).toEqual({
      termination: 'edge',
      insecureEdgeTerminationPolicy: 'Redirect',
      externalCertificate: { name: 'shop-tls' },
    });
    expect(objects.map((o) => o.kind)).toEqual(['Certificate', 'Role', 'RoleBinding', 'Route']);
    const role = objects.find((o) => o.kind === 'Role') as any;
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['shop-tls'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect((objects.find((o) => o.kind === 'RoleBinding') as any).subjects).toEqual([
      { kind: 'ServiceAccount', name: 'router', namespace: 'openshift-ingress' },
    ]);
    expect(JSON.stringify(objects)).not.toMatch(/BEGIN CERTIFICATE|"certificate"|"key"/);
  });

  it('re-encrypts to HTTPS backends, passes TLS through, and allows HTTP when asked', async () => {
    const reencrypt = await compile([
      withRule(
        { backends: [{ service: 'web', port: 8443, protocol: 'https' }] },
        { tls: { secretName: 's', redirectHttp: false } },
      ),
    ]);
    expect(reencrypt.routes[0]!.spec.tls.termination).toBe('reencrypt');
    const pass = await compile([
      basePolicy({ tls: { passthrough: true }, rules: [{ backends: [{ service: 'vault', port: 8200 }] }] }),
    ]);
    expect(pass.routes[0]!.spec.tls).toEqual({ termination: 'passthrough', insecureEdgeTerminationPolicy: 'Redirect' });
    const allow = await compile([basePolicy({ tls: { secretName: 's', redirectHttp: false } })]);
    expect(allow.routes[0]!.spec.tls.insecureEdgeTerminationPolicy).toBe('Allow');
  });

  it('writes the router annotations for timeouts, allow lists, rate limits, rewrites, HSTS and affinity', async () => {
    const { routes } = await compile([
      withRule(
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
          rewrite: { pathPrefix: '/' },
          timeouts: { request: '1m' },
          sessionAffinity: { cookieName: 'route_1' },
        },
        {
          tls: { secretName: 's' },
          hsts: { maxAge: '8760h', includeSubdomains: true, preload: true },
          allowSourceRanges: ['10.0.0.0/8', '192.168.0.0/16'],
          rateLimit: { requestsPerSecond: 20 },
          acceptApproximations: ['tls.redirect-http', 'timeouts.request', 'rate-limit'],
        },
      ),
    ]);
    expect(routes[0]!.metadata.annotations).toEqual({
      'haproxy.router.openshift.io/timeout': '60000ms',
      'haproxy.router.openshift.io/ip_allowlist': '10.0.0.0/8 192.168.0.0/16',
      'haproxy.router.openshift.io/ip_whitelist': '10.0.0.0/8 192.168.0.0/16',
      'haproxy.router.openshift.io/rate-limit-connections': 'true',
      'haproxy.router.openshift.io/rate-limit-connections.rate-http': '200',
      'haproxy.router.openshift.io/rewrite-target': '/',
      'haproxy.router.openshift.io/hsts_header': 'max-age=31536000;includeSubDomains;preload',
      'router.openshift.io/cookie_name': 'route_1',
    });
  });

  it('sets and deletes headers with header actions, but never HSTS or cookies', async () => {
    const { routes } = await compile([
      withRule({
        requestHeaders: { set: { 'X-A': '1' }, remove: ['X-B'] },
        responseHeaders: { set: { 'Cache-Control': 'no-store' } },
      }),
    ]);
    expect(routes[0]!.spec.httpHeaders).toEqual({
      actions: {
        request: [
          { name: 'X-A', action: { type: 'Set', set: { value: '1' } } },
          { name: 'X-B', action: { type: 'Delete' } },
        ],
        response: [{ name: 'Cache-Control', action: { type: 'Set', set: { value: 'no-store' } } }],
      },
    });
    expect(() =>
      compileRoutes([withRule({ responseHeaders: { set: { 'Set-Cookie': 'a=1' } } })], { dialect: 'openshift-route' }),
    ).toThrow(UnsupportedFeatureError);
  });

  it('admits wildcard hosts as a Subdomain policy, only when the policy accepts that the router must allow them', async () => {
    expect(() => compileRoutes([basePolicy({ hosts: ['*.example.com'] })], { dialect: 'openshift-route' })).toThrow(
      /WildcardsAllowed/,
    );
    const { routes, warnings } = await compile([
      basePolicy({ hosts: ['*.example.com'], acceptApproximations: ['host.wildcard'] }),
    ]);
    expect(routes[0]!.spec).toMatchObject({ host: 'wildcard.example.com', wildcardPolicy: 'Subdomain' });
    expect(warnings.join('\n')).toMatch(/WildcardsAllowed/);
  });
});

describe('the Route model', () => {
  const registry = new SchemaRegistry();
  const valid = {
    apiVersion: 'route.openshift.io/v1',
    kind: 'Route',
    metadata: { name: 'a' },
    spec: { to: { kind: 'Service', name: 's', weight: 1 } },
  };
  const messages = async (spec: unknown) => (await registry.validate([{ ...valid, spec }])).map((f) => f.message);

  it('enforces the fields, bounds and CEL rules of route.openshift.io/v1', async () => {
    expect(await registry.validate([valid])).toEqual([]);
    expect(await messages({ to: { kind: 'Service', name: 's', weight: 300 } })).toEqual([
      '/spec/to/weight must be <= 256',
    ]);
    expect(
      await messages({
        to: valid.spec.to,
        alternateBackends: [valid.spec.to, valid.spec.to, valid.spec.to, valid.spec.to],
      }),
    ).toEqual(['/spec/alternateBackends must have at most 3 items']);
    expect(
      await messages({
        to: valid.spec.to,
        tls: { termination: 'passthrough', insecureEdgeTerminationPolicy: 'Allow' },
      }),
    ).toEqual(['/spec/tls cannot have termination passthrough with insecureEdgeTerminationPolicy Allow']);
    expect(
      await messages({
        to: valid.spec.to,
        tls: { termination: 'edge', certificate: 'x', externalCertificate: { name: 's' } },
      }),
    ).toEqual(['/spec/tls cannot have both certificate and externalCertificate']);
    expect(await messages({ to: valid.spec.to, port: { targetPort: 0 } })).toEqual([
      '/spec/port/targetPort must be a port number or a port name',
    ]);
    expect(
      await messages({
        to: valid.spec.to,
        httpHeaders: { actions: { response: [{ name: 'Strict-Transport-Security', action: { type: 'Delete' } }] } },
      }),
    ).toEqual([
      '/spec/httpHeaders/actions/response/0/name: Strict-Transport-Security may not be modified via header actions',
    ]);
  });
});
