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
        },
      ),
    ]);
    const a = ingress().metadata.annotations!;
    expect(a).toMatchObject({
      [`${H}ssl-redirect`]: 'true',
      [`${H}ssl-redirect-code`]: '301',
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

  it('refuses what only the backend Service could carry, and says why', () => {
    const header = withRule({ matches: [{ headers: [{ name: 'x-beta', value: '1' }] }] });
    expect(() => compileRoutes([header], { dialect: 'haproxy' })).toThrow(UnsupportedFeatureError);
    expect(() => compileRoutes([header], { dialect: 'haproxy' })).toThrow(
      /haproxy.org\/route-acl, cookie-persistence\), which routes do not own/,
    );
    expect(() =>
      compileRoutes(
        [
          withRule({
            backends: [
              { service: 'a', port: 80 },
              { service: 'b', port: 80 },
            ],
          }),
        ],
        { dialect: 'haproxy' },
      ),
    ).toThrow(/cannot express 'split.weighted'/);
    expect(() => compileRoutes([withRule({ requestHeaders: { remove: ['X-A'] } })], { dialect: 'haproxy' })).toThrow(
      /never emits/,
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
