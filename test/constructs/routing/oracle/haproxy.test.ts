import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../../constructs/routing/compile';
import { UnsupportedFeatureError } from '../../../../constructs/routing/errors';
import { interpretHaproxy } from '../../../../constructs/routing/oracle/haproxy';
import type { KubeObject, RoutingPolicy, ServiceAnnotations } from '../../../../constructs/routing/types';
import { checkDialect, describeStats, modelChecker } from './harness';
import { requestWith } from './requests';

const H = 'haproxy.org/';

const request = requestWith({});

/** Compiles for HAProxy and requires the interpreter to give the model's outcome for each request. */
const expectModel = modelChecker('haproxy', interpretHaproxy);

const policy = (rules: RoutingPolicy['rules'], extra: Partial<RoutingPolicy> = {}): RoutingPolicy => ({
  name: 'shop',
  namespace: 'shop',
  hosts: ['a.example.org'],
  rules,
  ...extra,
});

/** A hand-written Ingress of the controller's dialect. */
function ingress(
  name: string,
  paths: { path?: string; pathType: string; service: string; port?: number }[],
  annotations: Record<string, string> = {},
  host = 'a.example.org',
  tls = false,
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'shop', annotations },
    spec: {
      ingressClassName: 'haproxy',
      ...(tls ? { tls: [{ hosts: [host], secretName: 'cert' }] } : {}),
      rules: [
        {
          host,
          http: {
            paths: paths.map((p) => ({
              ...(p.path !== undefined ? { path: p.path } : {}),
              pathType: p.pathType,
              backend: { service: { name: p.service, port: { number: p.port ?? 80 } } },
            })),
          },
        },
      ],
    },
  };
}

const acl = (service: string, value: string): ServiceAnnotations => ({
  namespace: 'shop',
  service,
  annotations: { [`${H}route-acl`]: value },
  owner: 'test',
});
const backend = (service: string, weight = 1) => ({ namespace: 'shop', service, port: 80, weight });

describe('haproxy oracle: issue 13 cases', () => {
  // The old compiler gave the canary a path-less Ingress entry: AddCustomRoute (pkg/route/route.go) then
  // builds `{ var(txn.host) -m str a.example.org } { <acl> }` with no path and inserts it before the
  // map lookup, so /api requests with the header went to the canary. It compiled both policies below.
  it('case 6: a header canary on / beside an /api rule is refused (its route-acl would take /api traffic)', () => {
    const headerCanary = policy([
      { name: 'web', backends: [{ service: 'web', port: 80 }] },
      {
        name: 'api',
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backends: [{ service: 'api', port: 80 }],
      },
      {
        name: 'beta',
        matches: [{ headers: [{ name: 'x-canary', value: 'on' }] }],
        backends: [{ service: 'beta', port: 80 }],
      },
    ]);
    expect(() => compileRoutes([headerCanary], { dialect: 'haproxy' })).toThrow(UnsupportedFeatureError);
    expect(() => compileRoutes([headerCanary], { dialect: 'haproxy' })).toThrow(/more specific shop.rules\[1\]/);
  });

  it('case 6: an 80/20 split on / beside an /api rule is refused; the same split on /api beside / routes as the model says', () => {
    const split = policy([
      {
        name: 'web',
        backends: [
          { service: 'web', port: 80, weight: 80 },
          { service: 'next', port: 80, weight: 20 },
        ],
      },
      {
        name: 'api',
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backends: [{ service: 'api', port: 80 }],
      },
    ]);
    expect(() => compileRoutes([split], { dialect: 'haproxy' })).toThrow(/split.weighted/);
    // Scoped to its path (`{ path -m reg ^/api($|/) }`), a split on /api leaves / alone, and is exact.
    const scoped = policy([
      { name: 'web', backends: [{ service: 'web', port: 80 }] },
      {
        name: 'api',
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backends: [
          { service: 'api', port: 80, weight: 80 },
          { service: 'api-next', port: 80, weight: 20 },
        ],
      },
    ]);
    expectModel(
      [scoped],
      [request({ path: '/' }), request({ path: '/api' }), request({ path: '/api/x' }), request({ path: '/apix' })],
    );
    const compiled = compileRoutes([scoped], { dialect: 'haproxy' });
    expect(interpretHaproxy(compiled, request({ path: '/api/x' }))).toMatchObject({
      backends: [backend('api-next', 1), backend('api', 4)],
    });
  });

  // The old compiler added the canary's path-less entry to the passthrough Ingress and a rand() route-acl;
  // custom routes live in the HTTP frontends, the SNI map names the main backend only: the canary got nothing.
  it('case 11: a 9:1 split behind TLS passthrough is refused (the SNI map ignores canaries)', () => {
    const passthrough = policy(
      [
        {
          name: 'vault',
          backends: [
            { service: 'vault', port: 8200, weight: 9 },
            { service: 'vault-next', port: 8200, weight: 1 },
          ],
        },
      ],
      { tls: { passthrough: true } },
    );
    expect(() => compileRoutes([passthrough], { dialect: 'haproxy' })).toThrow(UnsupportedFeatureError);
    expect(() => compileRoutes([passthrough], { dialect: 'haproxy' })).toThrow(/SNI map/);
  });

  // resSetCORS.go handles enable, allow-origin, -methods, -headers, max-age, -credentials and
  // respond-to-options only; the old compiler wrote no expose-headers and said nothing.
  it('case 16: cors.exposeHeaders is refused (HAProxy has no expose-headers annotation)', () => {
    const cors = policy([{ name: 'web', backends: [{ service: 'web', port: 80 }] }], {
      cors: { allowOrigins: ['https://app.example.org'], exposeHeaders: ['x-trace'] },
    });
    expect(() => compileRoutes([cors], { dialect: 'haproxy' })).toThrow(UnsupportedFeatureError);
    expect(() => compileRoutes([cors], { dialect: 'haproxy' })).toThrow(/cors.exposeHeaders/);
    // Without it, CORS is applied as the model says (allow-headers empty, not the controller's '*').
    expectModel([{ ...cors, cors: { allowOrigins: ['https://app.example.org'] } }], [request()]);
  });
});

describe('haproxy oracle: compiled canaries against the model', () => {
  it('a header canary on two paths is one route-acl scoped to each path', () => {
    const on = { 'x-canary': 'on' };
    expectModel(
      [
        policy([
          { name: 'web', backends: [{ service: 'web', port: 80 }] },
          {
            name: 'beta',
            matches: [
              { path: { type: 'PathPrefix', value: '/a' }, headers: [{ name: 'x-canary', value: 'on' }] },
              { path: { type: 'PathPrefix', value: '/b' }, headers: [{ name: 'x-canary', value: 'on' }] },
            ],
            backends: [{ service: 'beta', port: 80 }],
          },
        ]),
      ],
      [
        request({ path: '/a/x', headers: on }),
        request({ path: '/b', headers: on }),
        request({ path: '/c', headers: on }),
        request({ path: '/a' }),
      ],
    );
  });
});

describe('haproxy oracle: controller behaviours', () => {
  it('a path-less route-acl entry is host-wide and runs before the path maps (pkg/route/route.go)', () => {
    const objects = [
      ingress('api', [{ path: '/api', pathType: 'Prefix', service: 'api' }]),
      ingress('beta', [{ pathType: 'ImplementationSpecific', service: 'beta' }]),
    ];
    const compiled = { objects, serviceAnnotations: [acl('beta', 'req.hdr(x-canary) -m str on')] };
    const canary = request({ path: '/api/x', headers: { 'x-canary': 'on' } });
    expect(interpretHaproxy(compiled, canary)).toMatchObject({ kind: 'forward', backends: [backend('beta')] });
    expect(interpretHaproxy(compiled, request({ path: '/api/x' }))).toMatchObject({ backends: [backend('api')] });
  });

  it('path maps: exact, then prefix-exact, then the longest prefix; a wildcard covers one label (controller.go)', () => {
    const objects = [
      ingress('root', [{ path: '/', pathType: 'Prefix', service: 'root' }]),
      ingress('api', [{ path: '/api', pathType: 'Prefix', service: 'api' }]),
      ingress('health', [{ path: '/api/health', pathType: 'Exact', service: 'health' }]),
      ingress('wild', [{ path: '/', pathType: 'Prefix', service: 'wild' }], {}, '*.example.org'),
    ];
    const at = (path: string, host = 'a.example.org') => interpretHaproxy({ objects }, request({ path, host }));
    expect(at('/api')).toMatchObject({ backends: [backend('api')] });
    expect(at('/api/x')).toMatchObject({ backends: [backend('api')] });
    expect(at('/apix')).toMatchObject({ backends: [backend('root')] });
    expect(at('/api/health')).toMatchObject({ backends: [backend('health')] });
    expect(at('/', 'x.example.org')).toMatchObject({ backends: [backend('wild')] });
    expect(at('/', 'y.x.example.org')).toEqual({ kind: 'no-route' });
  });

  it('rand(N) lt K sends exactly K/N; the rest follows the map', () => {
    const objects = [
      ingress('web', [
        { path: '/', pathType: 'Prefix', service: 'web' },
        { path: '/', pathType: 'Prefix', service: 'next' },
      ]),
    ];
    const compiled = { objects, serviceAnnotations: [acl('next', 'rand(3) lt 1')] };
    expect(interpretHaproxy(compiled, request())).toMatchObject({ backends: [backend('next', 1), backend('web', 2)] });
  });

  it('the TLS redirect defaults to 302 and port 8443, and an Ingress with spec.tls redirects unless ssl-redirect is false', () => {
    const redirect = ingress('web', [{ path: '/', pathType: 'Prefix', service: 'web' }], {}, 'a.example.org', true);
    expect(interpretHaproxy({ objects: [redirect] }, request({ path: '/x' }))).toEqual({
      kind: 'redirect',
      status: 302,
      location: 'https://a.example.org:8443/x',
    });
    const off = ingress(
      'web',
      [{ path: '/', pathType: 'Prefix', service: 'web' }],
      { [`${H}ssl-redirect`]: 'false' },
      'a.example.org',
      true,
    );
    expect(interpretHaproxy({ objects: [off] }, request())).toMatchObject({ kind: 'forward' });
  });

  it('deny rules run before the redirect, and a request no path matches gets no redirect', () => {
    const objects = [
      ingress(
        'api',
        [{ path: '/api', pathType: 'Prefix', service: 'api' }],
        { [`${H}allow-list`]: '10.0.0.0/8' },
        'a.example.org',
        true,
      ),
    ];
    expect(interpretHaproxy({ objects }, request({ path: '/api', sourceIp: '192.0.2.1' }))).toEqual({ kind: 'denied' });
    expect(interpretHaproxy({ objects }, request({ path: '/other' }))).toEqual({ kind: 'no-route' });
  });

  it('TLS passthrough goes by the SNI map, with the main backend only', () => {
    const objects = [
      ingress(
        'vault',
        [
          { path: '/', pathType: 'Prefix', service: 'vault', port: 8200 },
          { pathType: 'ImplementationSpecific', service: 'vault-next', port: 8200 },
        ],
        { [`${H}ssl-passthrough`]: 'true' },
      ),
    ];
    const compiled = { objects, serviceAnnotations: [acl('vault-next', 'rand(10) lt 1')] };
    expect(interpretHaproxy(compiled, request({ scheme: 'https' }))).toEqual({
      kind: 'passthrough',
      backends: [{ namespace: 'shop', service: 'vault', port: 8200, weight: 1 }],
    });
  });

  it('refuses what it does not model, by name', () => {
    const objects = [
      ingress('web', [{ path: '/', pathType: 'Prefix', service: 'web' }], { [`${H}backend-config-snippet`]: 'x' }),
    ];
    expect(() => interpretHaproxy({ objects }, request())).toThrow(/backend-config-snippet is not modeled/);
  });
});

describe('haproxy oracle', () => {
  it('agrees with the model on generated environments (or refuses with a typed error)', () => {
    const stats = checkDialect('haproxy', interpretHaproxy);
    console.log(describeStats('haproxy', stats));
    expect(stats.compared).toBeGreaterThan(0);
  });
});

describe('haproxy: characters the controller interprets (issue 14)', () => {
  const base = (rule: RoutingPolicy['rules'][number]): RoutingPolicy => ({
    name: 'shop',
    namespace: 'shop',
    hosts: ['a.example.org'],
    rules: [{ backends: [{ service: 'web', port: 80 }] }, rule],
  });

  it("writes '%' in header values as '%%', so a value never fetches another header", () => {
    const policy = base({
      matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
      backends: [{ service: 'api', port: 80 }],
      requestHeaders: { set: { 'x-leak': '%[req.hdr(cookie)] 100%' } },
    });
    const compiled = compileRoutes([policy], { dialect: 'haproxy' });
    const annotations = compiled.objects.flatMap((o) =>
      Object.entries((o.metadata.annotations as Record<string, string>) ?? {}),
    );
    expect(annotations).toContainEqual(['haproxy.org/request-set-header', 'x-leak "%%[req.hdr(cookie)] 100%%"']);
    const out = interpretHaproxy(compiled, request({ path: '/api' }));
    expect(out.kind === 'forward' && out.applied.requestHeaders?.set).toEqual({ 'x-leak': '%[req.hdr(cookie)] 100%' });
  });

  it("refuses '#' in a canary's ACL value: it would start a comment", () => {
    const policy = base({
      matches: [{ headers: [{ name: 'x-canary', value: 'a#b' }] }],
      backends: [{ service: 'canary', port: 80 }],
    });
    expect(() => compileRoutes([policy], { dialect: 'haproxy' })).toThrow(/cannot contain '#'/);
  });
});
