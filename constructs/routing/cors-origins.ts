/**
 * CORS origins for controllers that match origins exactly or by regular expression (Traefik, Contour).
 * Gateway API's `*` in an origin's host "is a greedy match to the left, including any number of DNS
 * labels" (HTTPCORSFilter.AllowOrigins, gateway-api apis/v1/httproute_types.go), so
 * 'https://*.partner.com' admits 'https://a.partner.com' and 'https://a.b.partner.com', never
 * 'https://partner.com'. Pure.
 */
import { escapeRegex } from './values';

/** The label characters a browser sends in an Origin's host (lowercase, as validation requires). */
const LABEL = '[a-zA-Z0-9-]+';

/**
 * The anchored RE2 pattern of a wildcard origin ('https://*.partner.com' ->
 * '^https://([a-zA-Z0-9-]+\.)+partner\.com$'), or undefined for an exact origin or '*'.
 */
export function originPattern(origin: string): string | undefined {
  const m = /^(https?):\/\/\*\.(.+)$/.exec(origin);
  if (!m) return undefined;
  return `^${m[1]}://(${LABEL}\\.)+${escapeRegex(m[2]!)}$`;
}
