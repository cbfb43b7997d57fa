/**
 * Checks shared by every model: each `check*` returns what is wrong (a sentence fragment that
 * includes the fix) or `undefined`; each `assert*` throws a {@link InvalidPropertyError} naming
 * the property. Pure: no engine imports.
 */

/** Bad input to a construct or model: `property` names the field, the message the value and the fix. */
export class InvalidPropertyError extends Error {
  public constructor(
    public readonly property: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidPropertyError';
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Shows a value in an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return String(JSON.stringify(value) ?? String(value));
  } catch {
    // BigInt inside, or a cycle: JSON cannot show it.
    return Object.prototype.toString.call(value);
  }
}

/** DNS-1123 label: lowercase alphanumerics and '-', at most 63 characters. */
export function checkDnsLabel(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string';
  if (value.length > 63) return `is ${value.length} characters; a DNS label has at most 63`;
  if (!DNS_LABEL.test(value)) {
    return "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
  }
  return undefined;
}

/** DNS-1035 label (Service names): like a DNS-1123 label but starting with a letter. */
export function checkDns1035Label(value: unknown): string | undefined {
  const problem = checkDnsLabel(value);
  if (problem) return problem;
  return DNS_1035_LABEL.test(value as string) ? undefined : 'must start with a lowercase letter (DNS-1035 label)';
}

/** DNS-1123 subdomain (most object names): dot-separated labels, at most 253 characters. */
export function checkDnsSubdomain(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string';
  if (value.length > 253) return `is ${value.length} characters; a DNS subdomain has at most 253`;
  if (!DNS_SUBDOMAIN.test(value)) {
    return "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'";
  }
  return undefined;
}

/** An integer within [min, max]. */
export function checkIntegerInRange(value: unknown, min: number, max: number): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return `must be an integer from ${min} to ${max}`;
  if (value < min || value > max) return `must be from ${min} to ${max}`;
  return undefined;
}

/** An image reference split into registry/repository, tag and digest. */
export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const withTag = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const slash = withTag.lastIndexOf('/');
  const colon = withTag.lastIndexOf(':');
  // A colon before the last slash is a registry port, not a tag.
  if (colon <= slash) return { name: withTag, digest };
  return { name: withTag.slice(0, colon), tag: withTag.slice(colon + 1), digest };
}

/** A container image pinned by a tag other than `latest`, or by digest. */
export function checkPinnedImage(value: unknown): string | undefined {
  const fix =
    "pin a tag other than 'latest' or a digest, e.g. 'ghcr.io/acme/app:1.4.2' or 'ghcr.io/acme/app@sha256:<64 hex>'";
  if (typeof value !== 'string' || value.length === 0 || /\s/.test(value)) return `must be an image reference: ${fix}`;
  const { tag, digest } = parseImage(value);
  if (digest !== undefined) {
    return /^sha256:[a-f0-9]{64}$/.test(digest) ? undefined : `has a malformed digest: ${fix}`;
  }
  if (tag === undefined) return `has no tag: ${fix}`;
  if (tag === 'latest') return `uses the mutable tag 'latest': ${fix}`;
  return /^[\w][\w.-]{0,127}$/.test(tag) ? undefined : `has a malformed tag ${show(tag)}: ${fix}`;
}

function assertWith(property: string, value: unknown, problem: string | undefined): void {
  if (problem) throw new InvalidPropertyError(property, `'${property}' (${show(value)}) ${problem}`);
}

/** Throws an InvalidPropertyError naming `property` unless `value` is a DNS-1123 label. */
export function assertDnsLabel(property: string, value: unknown): void {
  assertWith(property, value, checkDnsLabel(value));
}

/** Throws an InvalidPropertyError naming `property` unless `value` is a DNS-1123 subdomain. */
export function assertDnsSubdomain(property: string, value: unknown): void {
  assertWith(property, value, checkDnsSubdomain(value));
}

/** Throws an InvalidPropertyError naming `property` unless `value` is an integer from `min` to `max`. */
export function assertIntegerInRange(property: string, value: unknown, min: number, max: number): void {
  assertWith(property, value, checkIntegerInRange(value, min, max));
}

/** Throws an InvalidPropertyError naming `property` unless `value` is an image pinned by tag (not latest) or digest. */
export function assertPinnedImage(property: string, value: unknown): void {
  assertWith(property, value, checkPinnedImage(value));
}

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Whether `value` is an IAM role ARN (any AWS partition). */
export function isIamRoleArn(value: unknown): value is string {
  return typeof value === 'string' && IAM_ROLE_ARN.test(value);
}

/** The first value that appears twice, if any. */
export function firstDuplicate<T>(values: readonly T[]): T | undefined {
  const seen = new Set<T>();
  for (const value of values) {
    if (seen.has(value)) return value;
    seen.add(value);
  }
  return undefined;
}

/**
 * Runs `build`, re-throwing a property error from it with `where` before its property (undefined keeps the
 * property) and `label` (default `where`) before its message: the caller names where in its input it happened.
 */
export function within<T>(where: string | undefined, build: () => T, label = where): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof InvalidPropertyError)) throw error;
    const property = where === undefined ? error.property : `${where}.${error.property}`;
    throw new InvalidPropertyError(property, label === undefined ? error.message : `${label}: ${error.message}`);
  }
}
