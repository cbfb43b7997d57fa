import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { Routes, WebApp } from '../../constructs';
import { buildByHand, generatePolicies } from '../../stacks/tools/bench';

/** The benchmark compares Switchyard with a hand-written baseline; it is only fair if both build the same objects. */
describe('benchmark baseline', () => {
  it('builds exactly the objects WebApp and Routes build', () => {
    const policies = generatePolicies(30, 6, 'shop-dev');
    const build = (fill: (chart: Chart) => void) => {
      const chart = new Chart(new App(), 'dev', { disableResourceNameHashes: true });
      fill(chart);
      return chart.toJson();
    };
    const switchyard = build((chart) => {
      for (let s = 0; s < 6; s++)
        new WebApp(chart, `svc-${s}`, { namespace: 'shop-dev', image: 'ghcr.io/acme/app:1.0.0' });
      new Routes(chart, 'routes', { policies, target: { dialect: 'gateway-api' } });
    });
    const byHand = build((chart) => buildByHand(chart, policies, 6, 'shop-dev'));
    // Workloads: identical. Routes: the same objects by kind and name (the baseline writes them without labels).
    const isRoute = (o: { apiVersion: string }) => o.apiVersion.startsWith('gateway.networking.k8s.io/');
    expect(byHand.filter((o) => !isRoute(o))).toEqual(switchyard.filter((o) => !isRoute(o)));
    const names = (objects: typeof byHand) =>
      objects
        .filter(isRoute)
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort();
    expect(names(byHand)).toEqual(names(switchyard));
  });
});
