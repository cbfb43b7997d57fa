import { describe, expect, it } from 'vitest';
import { featuresOf, supportFor } from '../../../constructs/routing/capabilities';
import { compileRoutes } from '../../../constructs/routing/compile';
import { ApproximationError, UnsupportedFeatureError } from '../../../constructs/routing/errors';
import { DIALECTS } from '../../../constructs/routing/types';
import { platform } from '../../../stacks/platform';
import { expectSchemaValid } from '../../helpers/schema';
import { basePolicy, withRule } from './fixtures';

/** The reference platform's policies, and a plain one every dialect can serve. */
const SETS = {
  'the shop (TLS, HSTS, canary, redirect)': [...(platform.environment('prod').routing ?? [])],
  'a plain site': [
    withRule({ matches: [{ path: { type: 'PathPrefix', value: '/app' } }] }),
    basePolicy({ name: 'docs', hosts: ['docs.example.com'] }),
  ],
};

describe.each(Object.entries(SETS))('%s, for all seven dialects', (_name, policies) => {
  it.each(DIALECTS)('%s: compiles schema-valid, or fails with the error the matrix predicts', async (dialect) => {
    const target = { dialect };
    // Unsupported features and approximations the policies did not accept both refuse, in policy order.
    const lacking = policies
      .flatMap((p) => featuresOf(p))
      .filter((u) => !['native', 'emulated'].includes(supportFor(target, u.feature)));
    if (lacking.length === 0) {
      await expectSchemaValid(compileRoutes(policies, target).objects);
      return;
    }
    try {
      compileRoutes(policies, target);
      expect.unreachable(`${dialect} should refuse ${lacking[0]!.feature}`);
    } catch (e) {
      const approximated = ['approximate', 'global-only'].includes(supportFor(target, lacking[0]!.feature));
      expect(e).toBeInstanceOf(approximated ? ApproximationError : UnsupportedFeatureError);
      expect((e as UnsupportedFeatureError).feature).toBe(lacking[0]!.feature);
      expect((e as UnsupportedFeatureError).path).toBe(lacking[0]!.path);
    }
  });
});
