import { describe, expect, it } from 'vitest';
import { burnWindows, goFloat, leValues, promDuration, promNumber } from '../../../constructs/observability/burn-rates';
import { METRIC_CATALOG } from '../../../constructs/observability/catalog';
import type { Dialect } from '../../../constructs/routing/types';

const WITH_HISTOGRAM = (Object.keys(METRIC_CATALOG) as Dialect[]).filter((d) => METRIC_CATALOG[d]!.duration);

describe('histogram buckets in the catalog', () => {
  it('list each controller default boundaries, ascending, with the source that defines them', () => {
    expect(WITH_HISTOGRAM.sort()).toEqual(['contour', 'gateway-api', 'ingress-nginx', 'traefik']);
    for (const dialect of WITH_HISTOGRAM) {
      const { buckets, bucketsSource } = METRIC_CATALOG[dialect]!.duration!;
      expect(buckets.length, dialect).toBeGreaterThan(3);
      expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
      expect(bucketsSource).toMatch(/github\.com\/.* \(.*\)/);
    }
    expect(METRIC_CATALOG['gateway-api']!.duration!.buckets).toEqual([
      0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
    ]);
    expect(METRIC_CATALOG.traefik!.duration!.buckets).toEqual([0.1, 0.3, 1.2, 5]);
    expect(METRIC_CATALOG['ingress-nginx']!.duration!.buckets).toEqual([
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]);
  });
});

describe('burn-rate windows', () => {
  it('are the SRE workbook windows for 30 days: 14.4x over 1h and 5m, 6x over 6h and 30m, 3x over 1d and 2h, 1x over 3d and 6h', () => {
    expect(burnWindows(30).map((w) => [w.severity, promDuration(w.long), promDuration(w.short), w.factor])).toEqual([
      ['page', '1h', '5m', 14.4],
      ['page', '6h', '30m', 6],
      ['ticket', '1d', '2h', 3],
      ['ticket', '3d', '6h', 1],
    ]);
  });

  it.each([1, 7, 14, 28, 30, 90])(
    'scale with a %d-day window, keeping the share of budget each condition stands for',
    (days) => {
      for (const w of burnWindows(days)) {
        expect(w.short).toBeGreaterThanOrEqual(5);
        expect(w.short).toBeLessThanOrEqual(w.long);
        expect(Number.isInteger(w.long) && Number.isInteger(w.short)).toBe(true);
        // factor x long window / SLO window = the share of the budget spent.
        expect((w.factor * w.long) / (days * 1440)).toBeCloseTo(w.budgetPercent / 100, 12);
      }
      expect(burnWindows(28).map((w) => w.factor)).toEqual([14.4, 6, 3, 1]);
      expect(burnWindows(7).map((w) => promDuration(w.long))).toEqual(['14m', '1h24m', '5h36m', '16h48m']);
    },
  );

  it('formats numbers without float noise and durations largest unit first', () => {
    expect(14.4 * 0.001).not.toBe(0.0144);
    expect(promNumber(14.4 * 0.001)).toBe('0.0144');
    expect(promNumber(1 - 0.999)).toBe('0.001');
    expect(promNumber(0.000001)).toBe('0.000001');
    expect(promDuration(144)).toBe('2h24m');
    expect(promDuration(4320)).toBe('3d');
  });

  it("gives every form a bucket boundary's le label takes: exporter text and Prometheus 3's float normalization", () => {
    expect(leValues(250)).toEqual(['250', '250.0']);
    expect(leValues(0.3)).toEqual(['0.3']);
    expect(leValues(1)).toEqual(['1', '1.0']);
    expect(leValues(3600000)).toEqual(['3600000', '3.6e+06']);
    expect(leValues(600000)).toEqual(['600000', '600000.0']);
    expect([goFloat(0.00001), goFloat(0.0001), goFloat(1e6)]).toEqual(['1e-05', '0.0001', '1e+06']);
  });
});
