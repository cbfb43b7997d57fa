/** Renders the capability matrix as the Markdown page docs/routing-capabilities.md. Pure. */
import {
  CAPABILITIES,
  FEATURES,
  type Feature,
  GATEWAY_EXPERIMENTAL_FEATURES,
  GATEWAY_IMPLEMENTATION_FEATURES,
} from './capabilities';
import { COMPILED_DIALECTS } from './compile';
import { DIALECTS, type Support } from './types';

const MARK: Readonly<Record<Support, string>> = {
  native: 'native',
  emulated: 'emulated',
  approximate: '~ approximate',
  'global-only': 'global only',
  unsupported: '—',
};

/** The Markdown page; a test fails when the committed copy differs. */
export function renderCapabilityTable(): string {
  const features = Object.keys(FEATURES) as Feature[];
  const header = `| feature | ${DIALECTS.join(' | ')} |`;
  const rule = `| --- | ${DIALECTS.map(() => '---').join(' | ')} |`;
  const rows = features.map(
    (f) => `| \`${f}\`: ${FEATURES[f]} | ${DIALECTS.map((d) => MARK[CAPABILITIES[d][f]]).join(' | ')} |`,
  );
  const implementations = Object.entries(GATEWAY_IMPLEMENTATION_FEATURES).map(
    ([impl, extra]) =>
      `- \`${impl}\`: ${Object.entries(extra)
        .map(([f, s]) => `\`${f}\` (${s})`)
        .join(', ')}`,
  );
  return [
    '# Routing capabilities',
    '',
    '<!-- Generated from constructs/routing/capabilities.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'What each dialect can express. `native`: the controller has the feature. `emulated`: Switchyard builds it from',
    'other objects or annotations with the same behaviour. `~ approximate`: close but not identical. `global only`:',
    'the controller sets it for every route and nothing is emitted per route. Both fail compilation with',
    "`ApproximationError` unless the policy accepts them (`acceptApproximations: ['<feature>']`); accepted ones",
    'come back in `approximations` and the `route-approximations` guardrail lists them.',
    '`—`: unsupported; compiling throws `UnsupportedFeatureError`, which names the dialects that can.',
    '',
    'Every `native` and `emulated` cell is confirmed by the traffic oracle: an interpreter of the compiled objects,',
    "written from the controller's source, routes generated requests exactly as the routing model does",
    '(`test/constructs/routing/oracle/coverage.test.ts`), except `tls.cert-manager`, which issues certificates off',
    'the request path and is checked against the cert-manager schemas. A dialect may still refuse a combination it cannot',
    'express exactly; the error names the field.',
    '',
    `Compiled: ${COMPILED_DIALECTS.map((d) => `\`${d}\``).join(', ')}.`,
    '',
    header,
    rule,
    ...rows,
    '',
    '## Gateway API: channel and implementation',
    '',
    'The `gateway-api` column is portable Gateway API on the standard channel (v1.6). Two target settings add to it:',
    '',
    `- \`channel: 'experimental'\` makes ${GATEWAY_EXPERIMENTAL_FEATURES.map((f) => `\`${f}\``).join(' and ')} native (HTTPRoute \`retry\`, \`sessionPersistence\`).`,
    '- `implementation` adds what the implementation provides through its own resources (Envoy Gateway',
    '  BackendTrafficPolicy and SecurityPolicy; Traefik Middlewares referenced by `ExtensionRef`):',
    ...implementations.map((l) => `  ${l}`),
    '',
  ].join('\n');
}
