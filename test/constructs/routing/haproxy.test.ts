import { describe, expect, it } from 'vitest';
import { compileRoutes } from '../../../constructs/routing/compile';
import { UnsupportedFeatureError } from '../../../constructs/routing/errors';
import type { KubeObject, RoutingPolicy } from '../../../constructs/routing/types';
import { expectSchemaValid } from '../../helpers/schema';
import { basePolicy, withRule } from './fixtures';

const H = 'haproxy.org/';

async function compile(policies: RoutingPolicy[]) {
  const result = compileRoutes(policies, { dialect: 'haproxy' });
  await expectSchemaValid(result.objects);
  const ingress = (name = 'shop-web') =>
    result.objects.find((o) => o.kind === 'Ingress' && o.metadata.name === name) as KubeObject & {
      spec: any;
      metadata: { annotations?: Record<string, string> };
    };
  return { ...result, ingress };
}

/** Applies an HAProxy path-rewrite ('regex replacement', \\1 references) the way HAProxy does. */
function rewrite(rule: string, path: string): string {
  const [regex, replacement] = rule.split(' ');
  return path.replace(new RegExp(regex!), replacement!.replace(/\\(\d)/g, '$$$1'));
}

describe('HAProxy compiler', () => {
  it('emits one Ingress per rule on the haproxy class with segment-wise Prefix paths', async () => {
    const { ingress } = await compile([
      withRule({
        matches: [{ path: { type: 'PathPrefix', value: '/api/' } }, { path: { type: 'Exact', value: '/health' } }],
      }),
    ]);
    expect(ingress().spec).toEqual({
      ingressClassName: 'haproxy',
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              { path: '/api', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } },
              { path: '/health', pathType: 'Exact', backend: { service: { name: 'web', port: { number: 8080 } } } },
            ],
          },
        },
      ],
    });
  });

  it('writes TLS, redirects, rewrites, headers, timeouts, access lists, rate limits and CORS as haproxy.org annotations', async () => {
    const { ingress } = await compile([
      withRule(
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
          rewrite: { pathPrefix: '/v2', hostname: 'api.internal' },
          requestHeaders: { set: { 'X-A': '1' } },
          timeouts: { backendRequest: '30s' },
          backends: [{ service: 'api', port: 443, protocol: 'https' }],
        },
        {
          tls: { secretName: 's' },
          hsts: { maxAge: '1h' },
          allowSourceRanges: ['10.0.0.0/8'],
          denySourceRanges: ['10.9.0.0/16'],
          rateLimit: { requestsPerSecond: 50 },
          cors: { allowOrigins: ['https://a.example.com', 'https://*.b.example.com'], maxAge: '1m' },
          // Only /api is routed, and the lists run before the redirect: the HTTPS upgrade is partial.
          acceptApproximations: ['tls.redirect-http'],
        },
      ),
    ]);
    const a = ingress().metadata.annotations!;
    expect(a).toMatchObject({
      [`${H}ssl-redirect`]: 'true',
      [`${H}ssl-redirect-code`]: '301',
      [`${H}ssl-redirect-port`]: '443',
      [`${H}set-host`]: 'api.internal',
      [`${H}request-set-header`]: 'X-A "1"',
      [`${H}response-set-header`]: 'Strict-Transport-Security "max-age=3600"',
      [`${H}timeout-server`]: '30000ms',
      [`${H}allow-list`]: '10.0.0.0/8',
      [`${H}deny-list`]: '10.9.0.0/16',
      [`${H}rate-limit-requests`]: '50',
      [`${H}rate-limit-period`]: '1s',
      [`${H}rate-limit-status-code`]: '429',
      [`${H}cors-enable`]: 'true',
      [`${H}cors-max-age`]: '60000ms',
      [`${H}server-ssl`]: 'true',
    });
    expect(['/api', '/api/x'].map((p) => rewrite(a[`${H}path-rewrite`]!, p))).toEqual(['/v2', '/v2/x']);
    const origin = new RegExp(a[`${H}cors-allow-origin`]!);
    expect(['https://a.example.com', 'https://x.b.example.com'].every((o) => origin.test(o))).toBe(true);
    expect(origin.test('https://evil.example.com')).toBe(false);
    expect(ingress().spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 's' }]);
  });

  it('redirects to another host keeping the path, or to HTTPS, with 301-303 only', async () => {
    const moved = await compile([
      withRule({ backends: undefined, redirect: { hostname: 'new.example.com', port: 8443, statusCode: 301 } }),
    ]);
    expect(moved.ingress().metadata.annotations).toMatchObject({
      [`${H}request-redirect`]: 'new.example.com:8443',
      [`${H}request-redirect-code`]: '301',
    });
    expect(() =>
      compileRoutes([withRule({ backends: undefined, redirect: { hostname: 'x.example.com', statusCode: 308 } })], {
        dialect: 'haproxy',
      }),
    ).toThrow(/HAProxy redirects with 301, 302 or 303/);
  });

  it('splits exactly with a rand(total) route-acl on the canary Service, scoped by a path entry', async () => {
    const { ingress, serviceAnnotations, warnings } = await compile([
      withRule({
        backends: [
          { service: 'web', port: 80, weight: 90 },
          { service: 'web-next', port: 80, weight: 10 },
        ],
      }),
    ]);
    expect(ingress().spec.rules[0].http.paths).toEqual([
      { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
      { path: '/', pathType: 'Prefix', backend: { service: { name: 'web-next', port: { number: 80 } } } },
    ]);
    expect(serviceAnnotations).toEqual([
      {
        namespace: 'shop',
        service: 'web-next',
        annotations: { [`${H}route-acl`]: 'rand(10) lt 1' },
        owner: 'shop.rules[0]',
      },
    ]);
    expect(warnings.join('\n')).toMatch(/rand\(10\) lt 1 of the rule's requests/);
  });

  it('routes header, cookie and method canaries with one-condition ACLs, and keeps cookie persistence on the Services', async () => {
    const policy: RoutingPolicy = {
      ...basePolicy(),
      rules: [
        { name: 'web', backends: [{ service: 'web', port: 80 }], sessionAffinity: { cookieName: 'SRV' } },
        {
          name: 'beta',
          matches: [{ headers: [{ name: 'X-Beta', value: 'yes' }] }],
          backends: [{ service: 'beta', port: 80 }],
        },
      ],
    };
    const staff: RoutingPolicy = {
      ...basePolicy({ name: 'staff', hosts: ['staff.example.com'] }),
      rules: [
        { name: 'web', backends: [{ service: 'staff-web', port: 80 }] },
        {
          name: 'staff',
          matches: [{ cookie: { name: 'staff', value: '1' } }],
          backends: [{ service: 'staff', port: 80 }],
        },
      ],
    };
    const { serviceAnnotations, ingress } = await compile([policy, staff]);
    expect(serviceAnnotations!.map((s) => [s.service, s.annotations])).toEqual([
      ['web', { [`${H}cookie-persistence`]: 'SRV' }],
      ['beta', { [`${H}route-acl`]: 'req.hdr(X-Beta) -m str yes' }],
      ['staff', { [`${H}route-acl`]: 'req.cook(staff) -m str 1' }],
    ]);
    expect(ingress('shop-beta').spec.rules[0].http.paths).toEqual([
      { path: '/', pathType: 'Prefix', backend: { service: { name: 'beta', port: { number: 80 } } } },
    ]);
    // Two route-acls that one request can both satisfy run in an arbitrary order: refused.
    const both = {
      ...policy,
      rules: [...policy.rules, { ...staff.rules[1]!, backends: [{ service: 'staff', port: 80 }] }],
    };
    expect(() => compileRoutes([both], { dialect: 'haproxy' })).toThrow(/orders route-acl rules arbitrarily/);
  });

  it.each<[string, RoutingPolicy, RegExp]>([
    [
      'a header canary on / beside a more specific rule (route-acls run before the path maps)',
      basePolicy({
        rules: [
          { name: 'web', backends: [{ service: 'web', port: 80 }] },
          {
            name: 'api',
            matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
            backends: [{ service: 'api', port: 80 }],
          },
          {
            name: 'beta',
            matches: [{ headers: [{ name: 'x', value: '1' }] }],
            backends: [{ service: 'beta', port: 80 }],
          },
        ],
      }),
      /would take the requests of the more specific shop.rules\[1\]/,
    ],
    [
      'a header canary whose settings differ from the rule its path falls into',
      basePolicy({
        rules: [
          { name: 'web', backends: [{ service: 'web', port: 80 }] },
          {
            name: 'beta',
            matches: [{ headers: [{ name: 'x', value: '1' }] }],
            backends: [{ service: 'beta', port: 80 }],
            requestHeaders: { set: { 'X-Beta': '1' } },
          },
        ],
      }),
      /applies the Ingress settings of shop.rules\[0\]/,
    ],
    [
      'two conditions in one canary',
      withRule({ matches: [{ headers: [{ name: 'x', value: '1' }], method: 'GET' }] }),
      /exactly one header, cookie or method/,
    ],
    [
      'three backends',
      withRule({ backends: ['a', 'b', 'c'].map((service) => ({ service, port: 80 })) }),
      /chained random ACLs cannot keep three weights/,
    ],
    [
      'query matches',
      withRule({ matches: [{ queryParams: [{ name: 'q', value: '1' }] }] }),
      /no annotation for query matching/,
    ],
    ['removing headers', withRule({ requestHeaders: { remove: ['X-A'] } }), /never emits/],
  ])('refuses %s, saying why', (_what, policy, message) => {
    expect(() => compileRoutes([policy], { dialect: 'haproxy' })).toThrow(UnsupportedFeatureError);
    expect(() => compileRoutes([policy], { dialect: 'haproxy' })).toThrow(message);
  });

  it('refuses a host whose only rules are canaries below a wildcard host (it is missing from the host map)', () => {
    const wild = basePolicy({ name: 'wild', hosts: ['*.example.com'] });
    const beta = basePolicy({
      hosts: ['a.example.com'],
      rules: [
        {
          name: 'beta',
          matches: [{ headers: [{ name: 'x', value: '1' }] }],
          backends: [{ service: 'beta', port: 80 }],
        },
      ],
    });
    expect(() => compileRoutes([wild, beta], { dialect: 'haproxy' })).toThrow(/fall to the rules of \*\.example\.com/);
  });

  it('refuses two rules that need different route-acls on one Service', () => {
    const a = withRule({
      backends: [
        { service: 'web', port: 80, weight: 9 },
        { service: 'next', port: 80, weight: 1 },
      ],
    });
    const b = {
      ...withRule({
        backends: [
          { service: 'web', port: 80, weight: 1 },
          { service: 'next', port: 80, weight: 1 },
        ],
      }),
      name: 'other',
      hosts: ['other.example.com'],
    };
    expect(() => compileRoutes([a, b], { dialect: 'haproxy' })).toThrow(
      /haproxy.org\/route-acl is set per Service, and shop.rules\[0\] already needs 'rand\(10\) lt 1' on shop\/next/,
    );
  });

  it('passes TLS through', async () => {
    const { ingress } = await compile([
      basePolicy({
        tls: { passthrough: true },
        rules: [{ name: 'web', backends: [{ service: 'vault', port: 8200 }] }],
      }),
    ]);
    expect(ingress().metadata.annotations).toEqual({ [`${H}ssl-passthrough`]: 'true' });
  });
});
