import type { RouteRule, RoutingPolicy } from '../../../constructs/routing/types';

/** A small valid policy to start each case from. */
export function basePolicy(overrides: Partial<RoutingPolicy> = {}): RoutingPolicy {
  return {
    name: 'shop',
    namespace: 'shop',
    hosts: ['shop.example.com'],
    rules: [{ name: 'web', backends: [{ service: 'web', port: 8080 }] }],
    ...overrides,
  };
}

/** basePolicy with one rule replaced. */
export function withRule(rule: Partial<RouteRule>, overrides: Partial<RoutingPolicy> = {}): RoutingPolicy {
  return basePolicy({
    rules: [{ name: 'web', backends: [{ service: 'web', port: 8080 }], ...rule } as RouteRule],
    ...overrides,
  });
}
