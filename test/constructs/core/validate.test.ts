import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertDnsLabel,
  assertPinnedImage,
  checkDns1035Label,
  checkDnsLabel,
  checkDnsSubdomain,
  checkIntegerInRange,
  checkPinnedImage,
  InvalidPropertyError,
} from '../../../constructs/core/validate';

describe('core checks', () => {
  it('accepts DNS labels and rejects the rest', () => {
    expect(checkDnsLabel('shop-1')).toBeUndefined();
    expect(checkDnsLabel('1shop')).toBeUndefined();
    expect(checkDnsLabel('Shop')).toMatch(/DNS-1123 label/);
    expect(checkDnsLabel('-a')).toMatch(/DNS-1123 label/);
    expect(checkDnsLabel('a'.repeat(64))).toMatch(/64 characters; a DNS label has at most 63/);
    expect(checkDnsLabel('')).toMatch(/non-empty/);
    expect(checkDnsLabel(3)).toMatch(/non-empty string/);
    expect(checkDns1035Label('1shop')).toMatch(/start with a lowercase letter/);
    expect(checkDnsSubdomain('a.b-c.d')).toBeUndefined();
    expect(checkDnsSubdomain('a..b')).toMatch(/subdomain/);
  });

  it('never accepts a label longer than 63 characters or with uppercase letters', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 80 }), (s) => {
        if (checkDnsLabel(s) === undefined) {
          expect(s.length).toBeLessThanOrEqual(63);
          expect(s).toMatch(/^[a-z0-9-]+$/);
        }
      }),
    );
  });

  it('checks integer ranges', () => {
    expect(checkIntegerInRange(5, 1, 10)).toBeUndefined();
    expect(checkIntegerInRange(0, 1, 10)).toBe('must be from 1 to 10');
    expect(checkIntegerInRange(1.5, 1, 10)).toBe('must be an integer from 1 to 10');
  });

  it('accepts pinned images only', () => {
    expect(checkPinnedImage('ghcr.io/acme/app:1.2.3')).toBeUndefined();
    expect(checkPinnedImage('localhost:5000/app:v1')).toBeUndefined();
    expect(checkPinnedImage(`ghcr.io/acme/app@sha256:${'a'.repeat(64)}`)).toBeUndefined();
    expect(checkPinnedImage('localhost:5000/app')).toMatch(/has no tag/);
    expect(checkPinnedImage('nginx')).toMatch(/has no tag/);
    expect(checkPinnedImage('nginx:latest')).toMatch(/mutable tag 'latest'/);
    expect(checkPinnedImage('nginx@sha256:abc')).toMatch(/malformed digest/);
  });

  it('throws InvalidPropertyError naming the property, the value and the fix', () => {
    expect(() => assertDnsLabel('name', 'Bad_Name')).toThrow(InvalidPropertyError);
    expect(() => assertDnsLabel('name', 'Bad_Name')).toThrow(/'name' \("Bad_Name"\) must be a DNS-1123 label/);
    try {
      assertPinnedImage('image', 'nginx');
    } catch (e) {
      expect((e as InvalidPropertyError).property).toBe('image');
    }
  });
});

describe('firstDuplicate', () => {
  it('returns the first repeated value, or undefined', async () => {
    const { firstDuplicate } = await import('../../../constructs/core/validate');
    expect(firstDuplicate(['a', 'b', 'a', 'b'])).toBe('a');
    expect(firstDuplicate([1, 2, 3])).toBeUndefined();
    expect(firstDuplicate([])).toBeUndefined();
  });
});
