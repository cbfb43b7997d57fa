import { describe, expect, it } from 'vitest';
import { addonNetworkProfile } from '../../../constructs/ingress/addon-network-policies';
import { SCRAPED_CONTROLLERS, scrapeTargets } from '../../../constructs/observability/scrape';

// The release each controller is installed as (the controllers' installers name them so).
const RELEASE = {
  'envoy-gateway': 'envoy-gateway',
  traefik: 'traefik',
  haproxy: 'haproxy',
  contour: 'contour',
  'ingress-nginx': 'ingress-nginx',
};

describe('scrape targets and the controllers’ NetworkPolicies', () => {
  it.each(SCRAPED_CONTROLLERS)(
    '%s: every port Prometheus scrapes is a metrics port its network profile opens',
    (controller) => {
      const profile = addonNetworkProfile(RELEASE[controller]);
      const opened = new Set(
        profile.components.flatMap((c) => c.needs.flatMap((n) => (n.kind === 'metrics' ? [n.port] : []))),
      );
      const scraped = scrapeTargets(controller, { namespace: 'ingress' }).map((t) => t.port.number);
      expect(scraped.length).toBeGreaterThan(0);
      for (const port of scraped) expect(opened.has(port), `${controller} metrics port ${port}`).toBe(true);
    },
  );
});
