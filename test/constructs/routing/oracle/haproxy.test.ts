import { describe, expect, it } from 'vitest';
import { interpretHaproxy } from '../../../../constructs/routing/oracle/haproxy';
import { checkDialect, describeStats } from './harness';

describe('haproxy oracle', () => {
  it('agrees with the model on generated environments (or refuses with a typed error)', () => {
    const stats = checkDialect('haproxy', interpretHaproxy);
    console.log(describeStats('haproxy', stats));
    expect(stats.compared).toBeGreaterThan(0);
  });
});
