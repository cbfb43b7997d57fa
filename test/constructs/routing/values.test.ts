import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkCidr,
  checkDuration,
  checkHeaderName,
  checkHeaderValue,
  checkHostname,
  checkPlainPath,
  checkRegex,
  checkSize,
  formatDuration,
  parseCidr,
  parseDuration,
  parseSize,
} from '../../../constructs/routing/values';

describe('durations (GEP-2257)', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
  ])('parses %s to %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(checkDuration(text)).toBeUndefined();
  });

  it.each(['1.5s', '10', '1s1m', '1s1s', '123456s', '', '1d', '-1s', '10 s', '1h2m3s4ms5ms'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
    expect(checkDuration(text)).toMatch(/Gateway API duration/);
  });

  it('formats any duration back to one that parses to the same value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999 * 3_600_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

describe('sizes', () => {
  it.each([
    ['8m', 8 * 1024 * 1024],
    ['512k', 512 * 1024],
    ['1024', 1024],
    ['1g', 1024 ** 3],
  ])('parses %s', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
    expect(checkSize(text)).toBeUndefined();
  });

  it.each(['8M', '8mb', '-1', '0', '1.5m', '', 'k'])('rejects %j', (text) => {
    expect(checkSize(text)).toMatch(/positive size/);
  });
});

describe('CIDRs', () => {
  it.each([
    '10.0.0.0/8',
    '0.0.0.0/0',
    '192.168.1.7/32',
    '2001:db8::/32',
    '::/0',
    '::1/128',
    '::ffff:10.0.0.0/104',
    'fe80::/10',
  ])('accepts %s', (cidr) => {
    expect(checkCidr(cidr)).toBeUndefined();
  });

  it.each([
    ['10.0.0.1', /did you mean "10.0.0.1\/32"/],
    ['2001:db8::1', /did you mean "2001:db8::1\/128"/],
    ['10.0.0.1/8', /host bits set: did you mean "10.0.0.0\/8"/],
    ['fe80::1/64', /host bits set: did you mean "fe80::\/64"/],
    ['10.0.0.0/33', /IPv4 prefix 0-32/],
    ['256.0.0.0/8', /must be a CIDR/],
    ['10.0.0/8', /must be a CIDR/],
    ['01.0.0.0/8', /must be a CIDR/],
    ['2001:db8:::/32', /must be a CIDR/],
    ['1:2:3:4:5:6:7:8:9/64', /must be a CIDR/],
    [42, /CIDR string/],
  ])('rejects %j with a fix', (cidr, message) => {
    expect(checkCidr(cidr)).toMatch(message);
  });

  it('accepts every masked IPv4 network and suggests an accepted CIDR for every unmasked one', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        const problem = checkCidr(`${address}/${prefix}`);
        if (problem === undefined) return;
        const suggestion = /did you mean "([^"]+)"/.exec(problem)?.[1];
        expect(suggestion).toBeDefined();
        expect(checkCidr(suggestion!)).toBeUndefined();
        expect(parseCidr(suggestion!)?.prefix).toBe(prefix);
      }),
    );
  });

  it('accepts every masked IPv6 network it suggests', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), (address, prefix) => {
        const problem = checkCidr(`${address}/${prefix}`);
        if (problem === undefined) return;
        const suggestion = /did you mean "([^"]+)"/.exec(problem)?.[1];
        expect(suggestion, `${address}/${prefix}: ${problem}`).toBeDefined();
        expect(checkCidr(suggestion!)).toBeUndefined();
      }),
    );
  });
});

describe('hostnames', () => {
  it.each(['shop.example.com', 'a-1.b.example', '*.example.com', 'x'])('accepts %s', (host) => {
    expect(checkHostname(host, true)).toBeUndefined();
  });

  it.each([
    ['Shop.example.com', true, /lowercase: use "shop.example.com"/],
    ['*', true, /bare '\*'/],
    ['*.com', true, /at least two labels/],
    ['a.*.example.com', true, /only as the whole leftmost label/],
    ['*.example.com', false, /precise hostname without a wildcard/],
    ['10.0.0.1', true, /not an IP address/],
    ['::1', true, /not an IP address/],
    ['-a.example.com', true, /RFC 1123/],
    ['a_b.example.com', true, /RFC 1123/],
    [`${'a'.repeat(64)}.example.com`, true, /label of 64 characters/],
    [`${'a.'.repeat(127)}ab`, true, /at most 253/],
    ['', true, /non-empty/],
  ] as const)('rejects %j', (host, wildcard, message) => {
    expect(checkHostname(host, wildcard)).toMatch(message);
  });
});

describe('regular expressions (RE2, anchored)', () => {
  it.each(['^/api/v[0-9]+$', '^(?P<version>v[12])$', '(?i)^/api$', '^/a\\$b$', '^\\\\1$'])('accepts %s', (re) => {
    expect(checkRegex(re)).toBeUndefined();
  });

  it.each([
    ['^/a(?=b)$', /lookarounds/],
    ['^/a(?<!b)$', /lookarounds/],
    ['^(a)\\1$', /backreferences/],
    ['^(?<n>a)\\k<n>$', /backreferences/],
    ['^(?>a)$', /atomic groups/],
    ['^a++$', /possessive quantifiers/],
    ['^[a$', /does not compile/],
    ['/api/.*', /anchored explicitly .* use "\^\/api\/\.\*\$"/],
    ['^/api', /anchored explicitly/],
    ['^/api\\$', /anchored explicitly/],
    ['', /non-empty/],
    ['^/a\n$', /raw control characters/],
    ['^/a\tb$', /raw control characters/],
  ])('rejects %j', (re, message) => {
    expect(checkRegex(re)).toMatch(message);
  });
});

describe('paths and headers', () => {
  it.each(['/', '/api', '/api/v1/', "/a-b_c.d~e!$&'()*+,;=:@", '/%20x'])('accepts path %s', (path) => {
    expect(checkPlainPath(path)).toBeUndefined();
  });

  it.each([
    ['api', /start with '\/'/],
    ['/a//b', /'\/\/'/],
    ['/a/./b', /segments/],
    ['/a/..', /segments/],
    ['/a%2Fb', /encoded '\/'/],
    ['/a#b', /'#'/],
    ['/a b', /URL path characters/],
    [`/${'a'.repeat(1024)}`, /at most 1024/],
  ])('rejects path %j', (path, message) => {
    expect(checkPlainPath(path)).toMatch(message);
  });

  it('checks header names and values', () => {
    expect(checkHeaderName('X-Env')).toBeUndefined();
    expect(checkHeaderName('X Env')).toMatch(/RFC 7230 token/);
    expect(checkHeaderName('x:y')).toMatch(/RFC 7230 token/);
    expect(checkHeaderName('a'.repeat(257))).toMatch(/at most 256/);
    expect(checkHeaderValue('v; a=b')).toBeUndefined();
    expect(checkHeaderValue('a\r\nX-Evil: 1')).toMatch(/control characters/);
    expect(checkHeaderValue('a'.repeat(4097))).toMatch(/at most 4096/);
  });
});
