import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpv4Cidr, planSubnets } from '../../../constructs/cluster/subnets';
import { expectInvalid } from '../../helpers/errors';

const range = (cidr: string) => {
  const parsed = parseIpv4Cidr(cidr);
  if (typeof parsed === 'string') throw new Error(parsed);
  return [parsed.base, parsed.base + 2 ** (32 - parsed.prefix) - 1] as const;
};

describe('planSubnets', () => {
  it('gives each zone a private eighth and a public /24 of a /16', () => {
    expect(planSubnets('10.0.0.0/16', ['a', 'b', 'c'])).toEqual([
      { zone: 'a', private: '10.0.0.0/19', public: '10.0.192.0/24' },
      { zone: 'b', private: '10.0.32.0/19', public: '10.0.193.0/24' },
      { zone: 'c', private: '10.0.64.0/19', public: '10.0.194.0/24' },
    ]);
  });

  it('keeps every subnet inside the VPC and apart from the others, for any VPC and zone count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 20 }),
        fc.integer({ min: 0, max: 2 ** 16 - 1 }),
        fc.integer({ min: 1, max: 6 }),
        (prefix, high, zones) => {
          const base = (high * 2 ** 16) >>> 0;
          const aligned = base - (base % 2 ** (32 - prefix));
          const ip = [24, 16, 8, 0].map((s) => Math.floor(aligned / 2 ** s) % 256).join('.');
          const vpc = `${ip}/${prefix}`;
          const plan = planSubnets(
            vpc,
            Array.from({ length: zones }, (_, i) => `z${i}`),
          );
          const [lo, hi] = range(vpc);
          const ranges = plan.flatMap((z) => [range(z.private), range(z.public)]).sort((a, b) => a[0] - b[0]);
          for (const [i, [start, end]] of ranges.entries()) {
            expect(start).toBeGreaterThanOrEqual(lo);
            expect(end).toBeLessThanOrEqual(hi);
            if (i > 0) expect(start).toBeGreaterThan(ranges[i - 1]![1]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects bad CIDRs, sizes and zone counts, naming the property', () => {
    expectInvalid(() => planSubnets('10.0.0.0', ['a']), 'vpcCidr', /IPv4 CIDR/);
    expectInvalid(() => planSubnets('10.0.0.1/16', ['a']), 'vpcCidr', /host bits set: use 10\.0\.0\.0\/16/);
    expectInvalid(() => planSubnets('10.0.0.0/22', ['a']), 'vpcCidr', /\/16 to \/20/);
    expectInvalid(() => planSubnets('10.0.0.0/12', ['a']), 'vpcCidr', /\/16 to \/20/);
    expectInvalid(() => planSubnets('10.0.0.0/16', []), 'availabilityZones', /1 to 6/);
    expectInvalid(() => planSubnets('300.0.0.0/16', ['a'], 'cidr'), 'cidr', /IPv4 CIDR/);
  });
});

describe('assertIpv4Cidr and assertPoolSizes', () => {
  it('name the property and the bounds', async () => {
    const { assertIpv4Cidr, assertPoolSizes } = await import('../../../constructs/cluster/subnets');
    expect(() => assertIpv4Cidr('ranges[0]', '10.0.0.0/8')).not.toThrow();
    expectInvalid(() => assertIpv4Cidr('ranges[0]', '10.0.0.0/33'), 'ranges[0]', /IPv4 CIDR/);
    expect(() => assertPoolSizes('pools[0]', 0, 1)).not.toThrow();
    expectInvalid(() => assertPoolSizes('pools[0]', 0, 0), 'pools[0].maxSize', /maxSize >= 1/);
    expectInvalid(
      () => assertPoolSizes('pools[0]', 1.5, 3, { min: 'minCount', max: 'maxCount' }),
      'pools[0].maxCount',
      /integers/,
    );
  });
});
