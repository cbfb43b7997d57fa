import { describe, expect, it } from 'vitest';
import { runGuardrails } from '../../../constructs/guardrails/engine';
import type { RoutingPolicy } from '../../../constructs/routing/types';

const secure: RoutingPolicy = {
  name: 'shop',
  namespace: 'shop',
  hosts: ['shop.example.com'],
  tls: { clusterIssuer: 'letsencrypt' },
  hsts: { maxAge: '365d' } as never,
  rules: [
    { name: 'web', backends: [{ service: 'web', port: 80 }], timeouts: { request: '30s' } },
    { name: 'old', matches: [{ path: { type: 'PathPrefix', value: '/old' } }], redirect: { path: '/new' } },
  ],
};
const check = (
  policies: RoutingPolicy[],
  profile: 'standard' | 'production' = 'production',
  allowWildcardHosts = false,
) => runGuardrails([], { profile, allowWildcardHosts }, policies).map((f) => `${f.severity} ${f.rule} ${f.field}`);

describe('routing guardrails', () => {
  it('pass a policy with TLS, HSTS and timeouts (redirects need none)', () => {
    expect(check([secure])).toEqual([]);
  });

  it('in production: TLS, HSTS, timeouts and wildcard hosts block', () => {
    const bare: RoutingPolicy = {
      ...secure,
      hosts: ['*.example.com'],
      tls: undefined,
      hsts: undefined,
      rules: [{ backends: [{ service: 'web', port: 80 }] }],
    };
    expect(check([bare])).toEqual([
      'danger route-tls shop.tls',
      'danger route-timeouts shop.rules[0].timeouts',
      'danger route-wildcard-hosts shop.hosts[0]',
    ]);
    expect(check([{ ...secure, hsts: undefined }])).toEqual(['danger route-hsts shop.hsts']);
  });

  it('in the standard profile they only inform (TLS warns)', () => {
    const bare: RoutingPolicy = {
      ...secure,
      tls: undefined,
      hsts: undefined,
      rules: [{ backends: [{ service: 'web', port: 80 }] }],
    };
    expect(check([bare], 'standard')).toEqual([
      'warning route-tls shop.tls',
      'info route-timeouts shop.rules[0].timeouts',
    ]);
  });

  it('accepts wildcard hosts when the environment allows them, and passthrough without HTTP timeouts', () => {
    expect(check([{ ...secure, hosts: ['*.example.com'] }], 'production', true)).toEqual([]);
    const passthrough: RoutingPolicy = {
      ...secure,
      tls: { passthrough: true },
      hsts: undefined,
      rules: [{ backends: [{ service: 'db', port: 5432 }] }],
    };
    expect(check([passthrough])).toEqual([]);
  });
});
