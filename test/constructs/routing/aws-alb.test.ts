import { describe, expect, it } from 'vitest';
import { albWeights, checkAlbGroupAgreement } from '../../../constructs/routing/aws-alb';
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

  it('splits by weight through an action, weights reduced exactly into 0-999, with stickiness', async () => {
    const { ingress, a } = await compile([
      withRule(
        {
          backends: [
            { service: 'v1', port: 80, weight: 9000 },
            { service: 'v2', port: 80, weight: 1000 },
          ],
          sessionAffinity: { cookieName: 'route', maxAge: '1h' },
        },
        { acceptApproximations: ['session-affinity'] },
      ),
    ]);
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({
      service: { name: 'r-web', port: { name: 'use-annotation' } },
    });
    expect(JSON.parse(a[`${A}actions.r-web`]!)).toEqual({
      type: 'forward',
      forwardConfig: {
        targetGroups: [
          { serviceName: 'v1', servicePort: 80, weight: 9 },
          { serviceName: 'v2', servicePort: 80, weight: 1 },
        ],
        targetGroupStickinessConfig: { enabled: true, durationSeconds: 3600 },
      },
    });
    expect(a[`${A}target-group-attributes`]).toBe('stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=3600');
    expect(albWeights([0, 5000, 10000])).toEqual([0, 1, 2]);
    // 1000:1 has no exact form in 0-999: refused rather than rounded.
    expect(albWeights([1000, 1])).toBeUndefined();
  });

  it('matches headers, query, method and cookies with conditions, and rewrites with transforms', async () => {
    const accept = {
      acceptApproximations: ['match.header', 'match.header-regex', 'match.query', 'match.cookie'],
    } as const;
    const api = { type: 'PathPrefix', value: '/api' } as const;
    const { a } = await compile([
      withRule(
        {
          matches: [
            { path: api, headers: [{ name: 'X-Env', value: 'beta' }], queryParams: [{ name: 'v', value: '2' }] },
            { path: api, headers: [{ name: 'ua', value: '^.+Chrome.+$', type: 'RegularExpression' }], method: 'POST' },
            { path: api, cookie: { name: 'c', value: '1' } },
          ],
        },
        accept,
      ),
    ]);
    expect([0, 1, 2].map((m) => JSON.parse(a[`${A}conditions.r-web-${m}`]!))).toEqual([
      [
        { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Env', values: ['beta'] } },
        { field: 'query-string', queryStringConfig: { values: [{ key: 'v', value: '2' }] } },
      ],
      [
        { field: 'http-header', httpHeaderConfig: { httpHeaderName: 'ua', regexValues: ['^.+Chrome.+$'] } },
        { field: 'http-request-method', httpRequestMethodConfig: { values: ['POST'] } },
      ],
      [{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'Cookie', values: ['*c=1*'] } }],
    ]);
    const rewritten = await compile([
      withRule({ matches: [{ path: api }], rewrite: { pathPrefix: '/v2', hostname: 'api.internal' } }),
    ]);
    const [url, host] = JSON.parse(rewritten.a[`${A}transforms.r-web`]!);
    expect(host).toEqual({
      type: 'host-header-rewrite',
      hostHeaderRewriteConfig: { rewrites: [{ regex: '^.*$', replace: 'api.internal' }] },
    });
    const { regex, replace } = url.urlRewriteConfig.rewrites[0];
    expect(['/api', '/api/x'].map((p) => p.replace(new RegExp(regex), replace))).toEqual(['/v2', '/v2/x']);
    // Host (1) + prefix path (2) + 3 conditions = 6 values: over ALB's 5 per rule, refused.
    const crowded = withRule(
      {
        matches: [
          {
            path: api,
            headers: [{ name: 'X-Env', value: 'beta' }],
            queryParams: [{ name: 'v', value: '2' }],
            method: 'POST',
          },
        ],
      },
      accept,
    );
    expect(() => compileRoutes([crowded], { dialect: 'aws-alb' })).toThrow(/5 condition values/);
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
      // The port of the new scheme is explicit: unset, ALB keeps the request's ('#{port}').
      redirectConfig: {
        host: 'new.example.com',
        path: '/shop',
        port: '443',
        protocol: 'HTTPS',
        statusCode: 'HTTP_301',
      },
    });
    expect(() =>
      compileRoutes([withRule({ backends: undefined, redirect: { path: '/x', statusCode: 308 } })], {
        dialect: 'aws-alb',
      }),
    ).toThrow(/HTTP_301 or HTTP_302 only/);
  });

  it('serves TLS with ACM certificates on HTTPS 443 and redirects HTTP per host, not group-wide', async () => {
    const result = compileRoutes([basePolicy({ tls: { secretName: 'ignored' } })], { dialect: 'aws-alb' });
    await expectSchemaValid(result.objects);
    const byName = (n: string) => result.objects.find((o) => o.metadata.name === n) as KubeObject & { spec: any };
    const main = byName('shop');
    const redirect = byName('shop-http-redirect');
    const ann = (o: KubeObject) => o.metadata.annotations as Record<string, string>;
    expect(ann(main)).toMatchObject({ [`${A}listen-ports`]: '[{"HTTPS":443}]' });
    // No ssl-redirect: it is group-wide and would also redirect the plain policies of the group.
    expect(Object.keys(ann(main))).not.toContain(`${A}ssl-redirect`);
    expect(main.spec.tls).toEqual([{ hosts: ['shop.example.com'] }]);
    expect(ann(redirect)[`${A}listen-ports`]).toBe('[{"HTTP":80}]');
    expect(JSON.parse(ann(redirect)[`${A}actions.https-redirect`]!)).toEqual({
      type: 'redirect',
      redirectConfig: { port: '443', protocol: 'HTTPS', statusCode: 'HTTP_301' },
    });
    // Two Ingresses of one group: group.order fixes their priorities.
    expect([ann(redirect), ann(main)].map((a) => a[`${A}group.order`])).toEqual(['1', '2']);
    expect(result.warnings.join('\n')).toMatch(/ACM certificates only/);
    const arns = await compile([basePolicy({ tls: { secretName: 's' } })], {
      alb: {
        certificateArns: ['arn:aws:acm:eu-west-1:111122223333:certificate/abc'],
        groupName: 'shop',
        scheme: 'internal',
      },
    });
    const tlsIngress = arns.objects.find((o) => o.metadata.name === 'shop')!;
    expect(tlsIngress.metadata.annotations).toMatchObject({
      [`${A}certificate-arn`]: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc',
      [`${A}group.name`]: 'shop',
      [`${A}scheme`]: 'internal',
    });
  });

  it('lets redirecting and non-redirecting TLS policies share a group; refuses Exclusive settings that disagree, and cert-manager', () => {
    const redirecting = basePolicy({ tls: { secretName: 's' } });
    const plain = basePolicy({
      name: 'other',
      hosts: ['other.example.com'],
      tls: { secretName: 's', redirectHttp: false },
    });
    const { objects } = compileRoutes([redirecting, plain], { dialect: 'aws-alb' });
    const other = objects.find((o) => o.metadata.name === 'other')!;
    expect((other.metadata.annotations as Record<string, string>)[`${A}listen-ports`]).toBe(
      '[{"HTTP":80},{"HTTPS":443}]',
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
