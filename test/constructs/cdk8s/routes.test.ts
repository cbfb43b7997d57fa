import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { Routes } from '../../../constructs/cdk8s/routes';
import {
  InvalidRoutingPolicyError,
  RouteConflictError,
  UnsupportedFeatureError,
} from '../../../constructs/routing/errors';
import type { RoutingPolicy } from '../../../constructs/routing/types';
import { WebApp } from '../../../constructs/workload/web-app';
import { expectSchemaValid } from '../../helpers/schema';

const shop: RoutingPolicy = {
  name: 'shop',
  namespace: 'shop',
  hosts: ['shop.example.com'],
  tls: { clusterIssuer: 'letsencrypt' },
  rules: [
    {
      backends: [
        { service: 'web', port: 8080, weight: 90 },
        { service: 'web-canary', port: 8080, weight: 10 },
      ],
    },
  ],
};

describe('Routes', () => {
  it('prints each warning once per app at synth, however many Routes report it (issue 13)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'edge');
    new Routes(chart, 'a', { policies: [shop], target: { dialect: 'ingress-nginx' } });
    const other = { ...shop, name: 'blog', hosts: ['blog.example.com'] };
    new Routes(chart, 'b', { policies: [other], target: { dialect: 'ingress-nginx' } });
    new Routes(chart, 'quiet', { policies: [other], target: { dialect: 'ingress-nginx' }, printWarnings: false });
    const printed: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => {
      printed.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      app.synth();
    } finally {
      process.stderr.write = write;
    }
    const retired = printed.filter((line) => line.includes('retired'));
    expect(retired).toHaveLength(1);
    expect(retired[0]).toMatch(/^switchyard: warning: /);
    expect(new Set(printed).size).toBe(printed.length);
  });

  it('adds the compiled objects to the chart, exactly as compileRoutes returns them', async () => {
    const chart = Testing.chart();
    const routes = new Routes(chart, 'routes', { policies: [shop], target: { dialect: 'gateway-api' } });
    const synthesized = Testing.synth(chart);
    expect(synthesized).toEqual(routes.objects);
    expect(synthesized.map((o) => o.kind)).toEqual(['HTTPRoute', 'HTTPRoute', 'Certificate', 'ReferenceGrant']);
    await expectSchemaValid(synthesized);
  });

  it('exposes the warnings of the dialect', () => {
    const routes = new Routes(Testing.chart(), 'routes', { policies: [shop], target: { dialect: 'ingress-nginx' } });
    expect(routes.warnings.join('\n')).toMatch(/retired/);
  });

  it('throws the typed errors at construction, before anything is synthesized', () => {
    const build =
      (policies: RoutingPolicy[], dialect: 'gateway-api' | 'ingress-nginx' = 'gateway-api') =>
      () =>
        new Routes(Testing.chart(), 'routes', { policies, target: { dialect } });
    expect(build([{ ...shop, hosts: ['Shop.example.com'] }])).toThrow(InvalidRoutingPolicyError);
    expect(build([shop, { ...shop, name: 'copy' }])).toThrow(RouteConflictError);
    expect(
      build(
        [{ ...shop, rules: [{ backends: ['a', 'b', 'c'].map((service) => ({ service, port: 80 })) }] }],
        'ingress-nginx',
      ),
    ).toThrow(UnsupportedFeatureError);
  });

  it('gives objects of the same name in different namespaces distinct construct ids', () => {
    const other = { ...shop, namespace: 'other', hosts: ['other.example.com'] };
    const chart = Testing.chart();
    new Routes(chart, 'routes', { policies: [shop, other], target: { dialect: 'gateway-api' } });
    expect(Testing.synth(chart).filter((o) => o.metadata.name === 'shop')).toHaveLength(2);
  });

  it("applies the Service annotations HAProxy needs to the app's Services, wherever they are defined", async () => {
    const app = Testing.app();
    const routes = new Chart(app, 'routes');
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['shop.example.com'],
      rules: [
        {
          backends: [
            { service: 'web', port: 8080, weight: 9 },
            { service: 'web-next', port: 8080, weight: 1 },
          ],
        },
      ],
    };
    new Routes(routes, 'routes', { policies: [policy], target: { dialect: 'haproxy' } });
    const apps = new Chart(app, 'apps');
    for (const name of ['web', 'web-next'])
      new WebApp(apps, name, { namespace: 'shop', image: 'ghcr.io/acme/web:1.0.0' });
    const services = Testing.synth(apps).filter((o) => o.kind === 'Service');
    expect(services.map((s) => [s.metadata.name, s.metadata.annotations])).toEqual([
      ['web', undefined],
      ['web-next', { 'haproxy.org/route-acl': 'rand(10) lt 1' }],
    ]);
    await expectSchemaValid(services);
  });

  it('fails synth for a Service the app does not define, unless told to leave the annotations to the user', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      hosts: ['shop.example.com'],
      rules: [{ backends: [{ service: 'web', port: 80 }], sessionAffinity: { cookieName: 'SRV' } }],
    };
    const chart = Testing.chart();
    new Routes(chart, 'routes', { policies: [policy], target: { dialect: 'haproxy' } });
    expect(() => Testing.synth(chart)).toThrow(
      /needs haproxy.org\/cookie-persistence on Service default\/web, which this app does not define/,
    );
    const ignored = Testing.chart();
    const routes = new Routes(ignored, 'routes', {
      policies: [policy],
      target: { dialect: 'haproxy' },
      serviceAnnotations: 'ignore',
    });
    expect(() => Testing.synth(ignored)).not.toThrow();
    expect(routes.serviceAnnotations).toEqual([
      {
        namespace: 'default',
        service: 'web',
        annotations: { 'haproxy.org/cookie-persistence': 'SRV' },
        owner: 'shop.rules[0]',
      },
    ]);
  });
});
