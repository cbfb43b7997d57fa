import { describe, expect, it } from 'vitest';
import { runGuardrails } from '../../../constructs/guardrails/engine';
import type { Dialect, RoutingPolicy } from '../../../constructs/routing/types';
import { validatePolicies } from '../../../constructs/routing/validate';

const secure: RoutingPolicy = {
  name: 'shop',
  namespace: 'shop',
  hosts: ['shop.example.com'],
  tls: { clusterIssuer: 'letsencrypt' },
  hsts: { maxAge: '8760h' },
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

  it("suggests an HSTS fix that is itself valid (issue 13: '365d' is not a duration)", () => {
    const finding = runGuardrails([], { profile: 'production' }, [{ ...secure, hsts: undefined }]).find(
      (f) => f.rule === 'route-hsts',
    );
    const maxAge = /maxAge: '([^']+)'/.exec(finding?.fix ?? '')?.[1];
    expect(maxAge).toBe('8760h');
    expect(() => validatePolicies([{ ...secure, hsts: { maxAge: maxAge! } }])).not.toThrow();
  });

  it('does not count a timeout the dialect sets controller-wide only (issue 13: Traefik passed)', () => {
    const findings = (dialect: Dialect) =>
      runGuardrails([], { profile: 'production' }, [secure], { dialect })
        .filter((f) => f.rule === 'route-timeouts')
        .map((f) => `${f.severity} ${f.field} ${f.message}`);
    expect(findings('traefik')).toEqual([
      "danger shop.rules[0].timeouts rule 'web' sets a timeout that traefik does not emit per route (controller-wide only)",
    ]);
    expect(findings('gateway-api')).toEqual([]);
    expect(findings('contour')).toEqual([]);
  });

  it('lists accepted approximations when the target is known, as warnings in production', () => {
    const accepted: RoutingPolicy = { ...secure, acceptApproximations: ['timeouts.request'] };
    const listed = runGuardrails([], { profile: 'production' }, [accepted], { dialect: 'traefik' }).filter(
      (f) => f.rule === 'route-approximations',
    );
    expect(listed.map((f) => `${f.severity} ${f.field}`)).toContain('warning shop.rules[0].timeouts.request');
    expect(listed.every((f) => f.message.includes('traefik'))).toBe(true);
    expect(
      runGuardrails([], { profile: 'production' }, [accepted]).some((f) => f.rule === 'route-approximations'),
    ).toBe(false);
  });
});
