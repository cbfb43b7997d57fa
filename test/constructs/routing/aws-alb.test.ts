import { describe, expect, it } from 'vitest';
import { checkAlbGroupAgreement, scaleAlbWeights } from '../../../constructs/routing/aws-alb';
import { compileRoutes } from '../../../constructs/routing/compile';
import { UnsupportedFeatureError } from '../../../constructs/routing/errors';
import type { CompileTarget, KubeObject, RoutingPolicy } from '../../../constructs/routing/types';
import { expectSchemaValid } from '../../helpers/schema';
import { basePolicy, withRule } from './fixtures';

const A = 'alb.ingress.kubernetes.io/';

async function compile(policies: RoutingPolicy[], target: Partial<CompileTarget> = {}) {
  const result = compileRoutes(policies, { dialect: 'aws-alb', ...target });
  await expectSchemaValid(result.objects);
  const ingress = result.objects[0] as KubeObject & { spec: any; metadata: { annotations: Record<string, string> } };
  return { ...result, ingress, a: ingress.metadata.annotations };
}

describe('AWS ALB compiler', () => {
  it('joins the shared IngressGroup with the class, scheme and target type, routing plain paths directly', async () => {
    const { ingress, a } = await compile([withRule({ matches: [{ path: { type: 'PathPrefix', value: '/api/' } }] })]);
    expect(a).toEqual({
      [`${A}group.name`]: 'switchyard',
      [`${A}scheme`]: 'internet-facing',
      [`${A}target-type`]: 'ip',
    });
    expect(ingress.spec).toEqual({
      ingressClassName: 'alb',
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              { path: '/api', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } },
            ],
          },
        },
      ],
    });
  });

  it('splits by weight through an action, weights scaled to 0-999, with stickiness', async () => {
    const { ingress, a } = await compile([
      withRule({
        backends: [
          { service: 'v1', port: 80, weight: 9000 },
          { service: 'v2', port: 80, weight: 1000 },
        ],
        sessionAffinity: { cookieName: 'route', maxAge: '1h' },
      }),
    ]);
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({
      service: { name: 'r-web', port: { name: 'use-annotation' } },
    });
    expect(JSON.parse(a[`${A}actions.r-web`]!)).toEqual({
      type: 'forward',
      forwardConfig: {
        targetGroups: [
          { serviceName: 'v1', servicePort: 80, weight: 999 },
          { serviceName: 'v2', servicePort: 80, weight: 111 },
        ],
        targetGroupStickinessConfig: { enabled: true, durationSeconds: 3600 },
      },
    });
    expect(a[`${A}target-group-attributes`]).toBe('stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=3600');
    expect(scaleAlbWeights([0, 5000, 10000])).toEqual([0, 500, 999]);
  });

  it('matches headers, query, method and cookies with conditions, and rewrites with transforms', async () => {
    const { a } = await compile([
      withRule({
        matches: [
          {
            path: { type: 'PathPrefix', value: '/api' },
            headers: [
              { name: 'X-Env', value: 'beta' },
              { name: 'ua', value: '^.+Chrome.+$', type: 'RegularExpression' },
            ],
            queryParams: [{ name: 'v', value: '2' }],
            method: 'POST',
            cookie: { name: 'c', value: '1' },
          },
        ],
        rewrite: { pathPrefix: '/v2', hostname: 'api.internal' },
      }),
    ]);
    expect(JSON.parse(a[`${A}conditions.r-web`]!)).toEqual([
      { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Env', values: ['beta'] } },
      { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'ua', regexValues: ['^.+Chrome.+$'] } },
      { field: 'query-string', queryStringConfig: { values: [{ key: 'v', value: '2' }] } },
      { field: 'http-request-method', httpRequestMethodConfig: { Values: ['POST'] } },
      { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'Cookie', values: ['*c=1*'] } },
    ]);
    const [url, host] = JSON.parse(a[`${A}transforms.r-web`]!);
    expect(host).toEqual({
      type: 'host-header-rewrite',
      hostHeaderRewriteConfig: { rewrites: [{ regex: '^.*$', replace: 'api.internal' }] },
    });
    const { regex, replace } = url.urlRewriteConfig.rewrites[0];
    expect(['/api', '/api/x'].map((p) => p.replace(new RegExp(regex), replace))).toEqual(['/v2', '/v2/x']);
  });

  it('redirects with HTTP_301 or HTTP_302 only', async () => {
    const { a } = await compile([
      withRule({
        backends: undefined,
        redirect: { scheme: 'https', hostname: 'new.example.com', path: '/shop', statusCode: 301 },
      }),
    ]);
    expect(JSON.parse(a[`${A}actions.r-web`]!)).toEqual({
      type: 'redirect',
      redirectConfig: { host: 'new.example.com', path: '/shop', protocol: 'HTTPS', statusCode: 'HTTP_301' },
    });
    expect(() =>
      compileRoutes([withRule({ backends: undefined, redirect: { path: '/x', statusCode: 308 } })], {
        dialect: 'aws-alb',
      }),
    ).toThrow(/HTTP_301 or HTTP_302 only/);
  });

  it('serves TLS with ACM certificates on HTTPS 443 and redirects HTTP, group-wide', async () => {
    const { ingress, a, warnings } = await compile([basePolicy({ tls: { secretName: 'ignored' } })]);
    expect(a).toMatchObject({ [`${A}listen-ports`]: '[{"HTTP":80},{"HTTPS":443}]', [`${A}ssl-redirect`]: '443' });
    expect(ingress.spec.tls).toEqual([{ hosts: ['shop.example.com'] }]);
    expect(warnings.join('\n')).toMatch(/ACM certificates only/);
    const arns = await compile([basePolicy({ tls: { secretName: 's' } })], {
      alb: {
        certificateArns: ['arn:aws:acm:eu-west-1:111122223333:certificate/abc'],
        groupName: 'shop',
        scheme: 'internal',
      },
    });
    expect(arns.a).toMatchObject({
      [`${A}certificate-arn`]: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc',
      [`${A}group.name`]: 'shop',
      [`${A}scheme`]: 'internal',
    });
  });

  it('refuses group-wide settings that disagree, and cert-manager with the reason', () => {
    const redirecting = basePolicy({ tls: { secretName: 's' } });
    const plain = basePolicy({
      name: 'other',
      hosts: ['other.example.com'],
      tls: { secretName: 's', redirectHttp: false },
    });
    expect(() => compileRoutes([redirecting, plain], { dialect: 'aws-alb' })).toThrow(
      /every TLS policy in it must redirect, or none/,
    );
    const ing = (name: string, scheme: string): KubeObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, annotations: { [`${A}group.name`]: 'g', [`${A}scheme`]: scheme } },
    });
    expect(() => checkAlbGroupAgreement([ing('a', 'internal'), ing('b', 'internet-facing')])).toThrow(
      UnsupportedFeatureError,
    );
    expect(() => compileRoutes([basePolicy({ tls: { clusterIssuer: 'le' } })], { dialect: 'aws-alb' })).toThrow(
      /cert-manager cannot issue into ACM/,
    );
  });
});
