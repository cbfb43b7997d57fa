/**
 * Regular expressions for Contour. The model matches one anywhere in the value (RE2 search, anchors
 * explicit); Envoy's safe_regex matches the whole value (internal/envoy/v3 safeRegexMatch), and Contour
 * wants a path regex to start with '/' (internal/dag/conditions.go pathMatchConditionsValid). Pure.
 */
import { UnsupportedFeatureError } from './errors';

/** Whether `re` has an alternation outside any group (where anchors stop applying to the whole). */
function topLevelAlternation(re: string): boolean {
  let depth = 0;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

const endsAnchored = (re: string) => re.endsWith('$') && !/(^|[^\\])(\\\\)*\\\$$/.test(re);

/**
 * The model matches a regular expression anywhere in the value (RE2 search, anchors explicit); Envoy's
 * safe_regex matches the whole value (internal/envoy/v3 safeRegexMatch). Anchored patterns are the
 * same either way; others are searched as `.*(?:re).*`, leading flags kept.
 */
export function fullMatch(pattern: string): string {
  const flags = /^\(\?[imsU]+\)/.exec(pattern)?.[0] ?? '';
  const body = pattern.slice(flags.length);
  if (body.startsWith('^') && endsAnchored(body) && !topLevelAlternation(body)) return pattern;
  return `${flags}.*(?:${body}).*`;
}

/** A path regex for Contour, which requires it to start with '/' (conditions.go pathMatchConditionsValid). */
export function pathRegex(pattern: string, at: string): string {
  const anchored = pattern.startsWith('^') && !topLevelAlternation(pattern);
  const body = anchored ? pattern.slice(1) : pattern;
  if (!anchored || !body.startsWith('/')) {
    throw new UnsupportedFeatureError(
      at,
      'path.regex',
      'contour',
      ['gateway-api', 'traefik'],
      `Contour takes a path regex only as a whole-path match starting with '/': write ${JSON.stringify(pattern)} as '^/...'`,
    );
  }
  return endsAnchored(body) ? body.slice(0, -1) : `${body}.*`;
}
