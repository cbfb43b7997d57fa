import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CAPABILITIES,
  dialectsSupporting,
  FEATURES,
  type Feature,
  featuresOf,
  supportFor,
} from '../../../constructs/routing/capabilities';
import { renderCapabilityTable } from '../../../constructs/routing/capability-table';
import { COMPILED_DIALECTS, compileRoutes } from '../../../constructs/routing/compile';
import { ApproximationError, UnsupportedFeatureError } from '../../../constructs/routing/errors';
import { DIALECTS, type RoutingPolicy } from '../../../constructs/routing/types';
import { expectSchemaValid } from '../../helpers/schema';
import { exampleFor, FEATURE_EXAMPLES } from './feature-examples';
import { TEST_TARGETS } from './targets';

const SUPPORT = ['native', 'emulated', 'approximate', 'global-only', 'unsupported'];
const features = Object.keys(FEATURES) as Feature[];

describe('CAPABILITIES', () => {
  it('gives every dialect a support level for every feature', () => {
    expect(Object.keys(CAPABILITIES).sort()).toEqual([...DIALECTS].sort());
    for (const dialect of DIALECTS) {
      expect(Object.keys(CAPABILITIES[dialect]).sort()).toEqual([...features].sort());
      for (const feature of features) expect(SUPPORT).toContain(CAPABILITIES[dialect][feature]);
    }
  });

  it('encodes the routing matrix facts the compilers rely on', () => {
    expect(CAPABILITIES['gateway-api'].retries).toBe('unsupported'); // experimental only
    expect(CAPABILITIES['gateway-api']['rate-limit']).toBe('unsupported'); // not in Gateway API
    expect(CAPABILITIES['ingress-nginx']['split.weighted']).toBe('emulated'); // canary Ingress
    expect(CAPABILITIES['ingress-nginx']['split.weighted-multi']).toBe('unsupported'); // two backends only
    expect(CAPABILITIES['ingress-nginx'].hsts).toBe('global-only');
    expect(CAPABILITIES.traefik['path.prefix']).toBe('emulated'); // character-wise PathPrefix
    expect(CAPABILITIES['aws-alb'].mirror).toBe('unsupported');
    expect(CAPABILITIES.haproxy['split.weighted']).toBe('emulated'); // rand(total) lt weight route-acl on the canary Service: exact
  });

  it('adds the experimental channel and implementation policies for Gateway API targets', () => {
    expect(supportFor({ dialect: 'gateway-api', channel: 'experimental' }, 'retries')).toBe('native');
    expect(supportFor({ dialect: 'gateway-api', implementation: 'envoy-gateway' }, 'ip.allow')).toBe('emulated');
    expect(supportFor({ dialect: 'gateway-api', implementation: 'envoy-gateway' }, 'rate-limit')).toBe('approximate');
    expect(supportFor({ dialect: 'gateway-api', implementation: 'traefik' }, 'max-body-size')).toBe('emulated');
    expect(supportFor({ dialect: 'gateway-api', implementation: 'traefik' }, 'ip.deny')).toBe('unsupported');
    expect(supportFor({ dialect: 'ingress-nginx', channel: 'experimental' }, 'retries')).toBe('emulated');
  });

  it('keeps docs/routing-capabilities.md in step with the matrix (run `npm run docs` to refresh)', () => {
    const committed = fs.readFileSync(path.resolve(__dirname, '../../../docs/routing-capabilities.md'), 'utf8');
    expect(committed).toBe(renderCapabilityTable());
  });

  it('detects the feature each example is for', () => {
    for (const feature of features) {
      expect(
        featuresOf(FEATURE_EXAMPLES[feature]).map((u) => u.feature),
        feature,
      ).toContain(feature);
    }
  });
});

describe.each(TEST_TARGETS.map((t) => [JSON.stringify(t), t] as const))(
  'compiling every feature for %s',
  (_name, target) => {
    it('the targets cover every dialect with a compiler', () => {
      expect(new Set(TEST_TARGETS.map((t) => t.dialect))).toEqual(new Set(COMPILED_DIALECTS));
    });

    it.each(features)(
      '%s: compiles as the matrix says, or throws UnsupportedFeatureError naming the dialects that can',
      async (feature) => {
        const support = supportFor(target, feature);
        const example = exampleFor(feature, target.dialect);
        const compile = () => compileRoutes([example], target);
        if (support === 'unsupported') {
          let error: unknown;
          try {
            compile();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(UnsupportedFeatureError);
          const unsupported = error as UnsupportedFeatureError;
          // The first feature of the example the target lacks is the one reported: the example's own, or one it needs.
          const lacking = featuresOf(example)
            .map((u) => u.feature)
            .filter((f) => supportFor(target, f) === 'unsupported');
          expect(lacking).toContain(feature);
          expect(unsupported.feature).toBe(lacking[0]);
          expect(unsupported.dialect).toBe(target.dialect);
          expect(unsupported.supportedBy).toEqual(
            dialectsSupporting(unsupported.feature as Feature).filter((d) => d !== target.dialect),
          );
          expect(unsupported.message).toContain(`cannot express '${unsupported.feature}'`);
          return;
        }
        const approximated = featuresOf(example)
          .map((u) => u.feature)
          .filter((f) => ['approximate', 'global-only'].includes(supportFor(target, f)));
        if (approximated.length > 0) {
          // Without consent an approximation is an error naming the first approximated feature and the fix.
          let error: unknown;
          try {
            compile();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ApproximationError);
          const refused = error as ApproximationError;
          expect(refused.feature).toBe(approximated[0]);
          expect(refused.message).toContain(`${example.name}.acceptApproximations: ['${approximated[0]}']`);
        }
        const accepted = { ...example, acceptApproximations: [...new Set(approximated)] };
        const result = approximated.length > 0 ? compileRoutes([accepted], target) : compile();
        await expectSchemaValid(result.objects);
        if (support === 'approximate' || support === 'global-only') {
          expect(result.warnings.some((w) => w.includes(`'${feature}'`))).toBe(true);
          expect(result.approximations?.map((a) => a.feature)).toContain(feature);
        }
      },
    );
  },
);

describe('warnings', () => {
  it('say each thing once: the compiler line about an accepted approximation (or the field above it) replaces the generic one', () => {
    const policy: RoutingPolicy = {
      name: 'shop',
      namespace: 'shop',
      hosts: ['shop.example.com'],
      acceptApproximations: ['timeouts.request', 'timeouts.backend-request'],
      rules: [{ backends: [{ service: 'web', port: 80 }], timeouts: { request: '10s', backendRequest: '5s' } }],
    };
    for (const dialect of ['ingress-nginx', 'openshift-route'] as const) {
      const { warnings, approximations } = compileRoutes([policy], { dialect });
      expect(approximations?.map((a) => a.path)).toEqual([
        'shop.rules[0].timeouts.request',
        'shop.rules[0].timeouts.backendRequest',
      ]);
      // One line about the timeouts: the compiler's own, which names both accepted features.
      const aboutTimeouts = warnings.filter((w) => w.startsWith('shop.rules[0].timeouts'));
      expect(aboutTimeouts, dialect).toHaveLength(1);
      expect(aboutTimeouts[0]).toMatch(/accepted approximation of 'timeouts.request', 'timeouts.backend-request'/);
    }
  });
});
