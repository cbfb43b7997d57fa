import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../../constructs/routing/compile';
import { UnsupportedFeatureError } from '../../../../constructs/routing/errors';
import { interpretOpenShiftRoute } from '../../../../constructs/routing/oracle/openshift-route';
import type { KubeObject, RoutingPolicy } from '../../../../constructs/routing/types';
import { checkDialect, describeStats, modelChecker } from './harness';
import { requestWith } from './requests';

const A = 'haproxy.router.openshift.io/';

const request = requestWith({});

const policy = (name: string, rules: RoutingPolicy['rules'], extra: Partial<RoutingPolicy> = {}): RoutingPolicy => ({
  name,
  namespace: 'shop',
  hosts: ['a.example.org'],
  rules,
  ...extra,
});

/** Compiles for OpenShift and requires the interpreter to give the model's outcome for each request. */
const expectModel = modelChecker('openshift-route', interpretOpenShiftRoute);

/** A hand-written Route. */
function route(
  name: string,
  spec: Record<string, unknown>,
  annotations: Record<string, string> = { [`${A}disable_cookies`]: 'true' },
  namespace = 'shop',
): KubeObject {
  return {
    apiVersion: 'route.openshift.io/v1',
    kind: 'Route',
    metadata: { name, namespace, annotations },
    spec: { host: 'a.example.org', to: { kind: 'Service', name, weight: 1 }, port: { targetPort: 80 }, ...spec },
  };
}
const backend = (service: string, weight = 1, namespace = 'shop') => ({ namespace, service, port: 80, weight });

describe('openshift-route oracle: issue 13 cases', () => {
  // unique_host.go with hostindex.SameNamespace: the oldest Route's namespace owns the host, and the
  // Routes of any other namespace are rejected (HostAlreadyClaimed). The old compiler emitted both.
  it('case 12: two namespaces sharing a host are refused at compile time', () => {
    const shop = policy('shop', [{ name: 'web', backends: [{ service: 'web', port: 80 }] }]);
    const blog = policy(
      'blog',
      [
        {
          name: 'blog',
          matches: [{ path: { type: 'PathPrefix', value: '/blog' } }],
          backends: [{ service: 'blog', port: 80 }],
        },
      ],
      { namespace: 'blog' },
    );
    expect(() => compileRoutes([shop, blog], { dialect: 'openshift-route' })).toThrow(UnsupportedFeatureError);
    expect(() => compileRoutes([shop, blog], { dialect: 'openshift-route' })).toThrow(/one namespace per host/);
    // The router's behaviour the error prevents: /blog is not served at all.
    const objects = [route('web', {}), route('blog', { path: '/blog' }, undefined, 'blog')];
    expect(interpretOpenShiftRoute({ objects }, request({ path: '/blog/x' }))).toMatchObject({
      backends: [backend('web')],
    });
    // A wildcard and a host of its domain block each other across namespaces too (host_admitter.go).
    const wild = { ...blog, hosts: ['*.example.org'], acceptApproximations: ['host.wildcard' as const] };
    expect(() => compileRoutes([shop, wild], { dialect: 'openshift-route' })).toThrow(/one namespace per host/);
    // In one namespace both are served, as the model says.
    expectModel([shop, { ...blog, namespace: 'shop' }], [request({ path: '/' }), request({ path: '/blog/x' })]);
  });
});

describe('openshift-route oracle: router behaviours', () => {
  it('the longest path wins segment-wise among a host’s Routes (reverse-sorted regex map)', () => {
    const objects = [route('root', {}), route('api', { path: '/api' }), route('v1', { path: '/api/v1' })];
    const at = (path: string) => interpretOpenShiftRoute({ objects }, request({ path }));
    expect(at('/api/v1/x')).toMatchObject({ backends: [backend('v1')] });
    expect(at('/api/v2')).toMatchObject({ backends: [backend('api')] });
    expect(at('/apix')).toMatchObject({ backends: [backend('root')] });
  });

  it('a wildcard Route covers exactly one label, after the exact hosts', () => {
    const objects = [route('wild', { host: 'wildcard.example.org', wildcardPolicy: 'Subdomain' }), route('exact', {})];
    const at = (host: string) => interpretOpenShiftRoute({ objects }, request({ host }));
    expect(at('a.example.org')).toMatchObject({ backends: [backend('exact')] });
    expect(at('x.example.org')).toMatchObject({ backends: [backend('wild')] });
    expect(at('y.x.example.org')).toEqual({ kind: 'no-route' });
  });

  it('redirects HTTP with 302 on Redirect routes, and allow lists refuse the connection', () => {
    const objects = [
      route(
        'web',
        { tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' } },
        {
          [`${A}disable_cookies`]: 'true',
          [`${A}ip_allowlist`]: '10.0.0.0/8',
        },
      ),
    ];
    expect(interpretOpenShiftRoute({ objects }, request({ path: '/x' }))).toEqual({
      kind: 'redirect',
      status: 302,
      location: 'https://a.example.org/x',
    });
    expect(interpretOpenShiftRoute({ objects }, request({ scheme: 'https', sourceIp: '192.0.2.1' }))).toEqual({
      kind: 'denied',
    });
  });

  it('scales weights as the router does: 9:1 becomes 256:28, 4:1 stays exact', () => {
    const split = (a: number, b: number) =>
      interpretOpenShiftRoute(
        {
          objects: [
            route('v1', {
              to: { kind: 'Service', name: 'v1', weight: a },
              alternateBackends: [{ kind: 'Service', name: 'v2', weight: b }],
            }),
          ],
        },
        request(),
      );
    expect(split(9, 1)).toMatchObject({ backends: [backend('v1', 64), backend('v2', 7)] });
    expect(split(4, 1)).toMatchObject({ backends: [backend('v1', 4), backend('v2', 1)] });
    // Accepted (endpoint counts are unknown at compile time), the compiler emits the weights that are
    // exact for equal counts (256:64); the interpreter, assuming equal counts, agrees with the model.
    expectModel(
      [
        policy(
          'shop',
          [
            {
              name: 'web',
              backends: [
                { service: 'v1', port: 80, weight: 4 },
                { service: 'v2', port: 80, weight: 1 },
              ],
            },
          ],
          { acceptApproximations: ['split.weighted'] },
        ),
      ],
      [request()],
    );
  });

  it('makes clients sticky unless cookies are disabled', () => {
    const sticky = interpretOpenShiftRoute({ objects: [route('web', {}, {})] }, request());
    expect(sticky).toMatchObject({ applied: { sessionAffinity: { cookieName: '(router key of shop/web)' } } });
    expectModel([policy('shop', [{ name: 'web', backends: [{ service: 'web', port: 80 }] }])], [request()]);
  });

  it('rewrites the path prefix with rewrite-target (replace-path ^<path>(.*)$ <target>\\1)', () => {
    expectModel(
      [
        policy('shop', [
          { name: 'web', backends: [{ service: 'web', port: 80 }] },
          {
            name: 'old',
            matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
            rewrite: { pathPrefix: '/new/' },
            backends: [{ service: 'web', port: 80 }],
          },
        ]),
      ],
      [request({ path: '/old' }), request({ path: '/old/x' }), request({ path: '/oldx' })],
    );
  });

  it('refuses what it does not model, by name', () => {
    const objects = [route('web', {}, { [`${A}balance`]: 'leastconn' })];
    expect(() => interpretOpenShiftRoute({ objects }, request())).toThrow(/balance is not modeled/);
  });
});

describe('openshift-route oracle', () => {
  it('agrees with the model on generated environments (or refuses with a typed error)', () => {
    const stats = checkDialect('openshift-route', interpretOpenShiftRoute);
    console.log(describeStats('openshift-route', stats));
    expect(stats.compared).toBeGreaterThan(0);
  });
});
