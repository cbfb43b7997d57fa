import { describe, expect, it } from 'vitest';
import { interpretOpenShiftRoute } from '../../../../constructs/routing/oracle/openshift-route';
import { checkDialect, describeStats } from './harness';

describe('openshift-route oracle', () => {
  it('agrees with the model on generated environments (or refuses with a typed error)', () => {
    const stats = checkDialect('openshift-route', interpretOpenShiftRoute);
    console.log(describeStats('openshift-route', stats));
    expect(stats.compared).toBeGreaterThan(0);
  });
});
