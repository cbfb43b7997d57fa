import { describe, expect, it } from 'vitest';
import {
  COMPILED_DIALECTS,
  compileRoutes,
  INTERPRETERS,
  modelOutcome,
  outcomeDifference,
  type RoutingPolicy,
} from '../../../../constructs';
import { requestWith } from './requests';

const request = requestWith({ scheme: 'https', host: 'shop.example.com' });

describe('the oracle from the package root', () => {
  const shop: RoutingPolicy = {
    name: 'shop',
    namespace: 'shop',
    hosts: ['shop.example.com'],
    tls: { secretName: 'shop-tls' },
    // OpenShift's router upgrades HTTP with 302: accepted here, where only the location is checked.
    acceptApproximations: ['tls.redirect-http'],
    rules: [
      { backends: [{ service: 'web', port: 8080 }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backends: [{ service: 'api', port: 8080 }] },
    ],
  };

  it.each(COMPILED_DIALECTS)('%s: a consumer replays requests against the compiled objects', (dialect) => {
    const compiled = compileRoutes([shop], { dialect });
    for (const path of ['/', '/api', '/api/x', '/apix']) {
      const r = request({ path });
      const actual = INTERPRETERS[dialect](compiled, r);
      expect(outcomeDifference(modelOutcome([shop], r), actual), `${dialect} ${path}`).toBeUndefined();
      expect(actual).toMatchObject({ kind: 'forward', path });
    }
    expect(INTERPRETERS[dialect](compiled, request({ path: '/api', scheme: 'http' }))).toMatchObject({
      kind: 'redirect',
      location: 'https://shop.example.com/api',
    });
  });
});
