import * as path from 'node:path';
import fc from 'fast-check';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { METRIC_CATALOG } from '../../../constructs/observability/catalog';
import {
  CONFIGMAP_MAX_BYTES,
  DashboardTooLargeError,
  routeDashboard,
} from '../../../constructs/observability/dashboard';
import { goldenSignalRules } from '../../../constructs/observability/golden-signals';
import type { Dialect, RoutingPolicy } from '../../../constructs/routing/types';
import { environments } from '../routing/oracle/arbitraries';
import { assertLayout, assertQueries, dashboardOf, visuals } from './dashboard-checks';

const CATALOGUED = Object.keys(METRIC_CATALOG) as Dialect[];

const optionsFor = (dialect: Dialect) => ({
  environment: 'prod',
  dialect,
  ...(METRIC_CATALOG[dialect]?.duration ? {} : { signals: ['rate', 'errors'] as const }),
});

describe('routeDashboard at scale', () => {
  it('fails with DashboardTooLargeError past 1 MiB; split with `name`, each part fits', () => {
    const many: RoutingPolicy[] = Array.from({ length: 400 }, (_, i) => ({
      name: `app-${i}`,
      namespace: 'apps',
      hosts: [`app-${i}.example.com`],
      slo: { availability: 99.9 },
      rules: [{ name: 'web', backends: [{ service: `app-${i}`, port: 80 }] }],
    }));
    let error: unknown;
    try {
      routeDashboard(many, { environment: 'prod', dialect: 'gateway-api' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DashboardTooLargeError);
    const tooLarge = error as DashboardTooLargeError;
    expect(tooLarge.bytes).toBeGreaterThan(CONFIGMAP_MAX_BYTES);
    expect(tooLarge.message).toMatch(
      /is \d+ bytes; a ConfigMap holds at most 1048576 \(1 MiB\).*a different 'name' per call/,
    );
    // About 120 rules with an objective fit in one dashboard (8.6 kB each, pretty-printed): four parts of 100.
    const parts = [0, 1, 2, 3]
      .map((k) => many.slice(k * 100, (k + 1) * 100))
      .map((policies, i) =>
        routeDashboard(policies, { environment: 'prod', dialect: 'gateway-api', name: `part-${i + 1}` }),
      );
    for (const part of parts) {
      const [key, json] = Object.entries(part.data)[0]!;
      expect(Buffer.byteLength(key) + Buffer.byteLength(json)).toBeLessThanOrEqual(CONFIGMAP_MAX_BYTES);
    }
    expect(new Set(parts.map((p) => p.metadata.name)).size).toBe(4);
    expect(new Set(parts.map((p) => dashboardOf(p).uid)).size).toBe(4);
  });

  it('property: every environment builds a dashboard (or fails as its recording rules do): unique ids, no overlap', () => {
    let built = 0;
    let withSlo = 0;
    fc.assert(
      fc.property(environments, fc.constantFrom(...CATALOGUED), (policies, dialect) => {
        const options = optionsFor(dialect);
        let expected: unknown;
        try {
          goldenSignalRules(policies, { dialect, ...(options.signals ? { signals: options.signals } : {}) });
        } catch (e) {
          expected = e;
        }
        if (expected !== undefined) {
          expect(() => routeDashboard(policies, options)).toThrow((expected as Error).message);
          return;
        }
        const dashboard = dashboardOf(routeDashboard(policies, options));
        assertLayout(dashboard);
        const withBackends = policies.flatMap((p) => p.rules.filter((r) => r.backends)).length;
        const perRule = METRIC_CATALOG[dialect]!.duration ? 3 : 2;
        expect(visuals(dashboard).filter((p) => p.type === 'timeseries')).toHaveLength(withBackends * perRule);
        assertQueries(dashboard, policies, dialect);
        // One stat per objective of each rule with backends (its own SLO, else its policy's).
        const objectives = policies.flatMap((p) =>
          p.rules.flatMap((r) => {
            const slo = r.backends ? (r.slo ?? p.slo) : undefined;
            return [slo?.availability, slo?.latency].filter((o) => o !== undefined);
          }),
        ).length;
        expect(visuals(dashboard).filter((p) => p.type === 'stat')).toHaveLength(objectives);
        built++;
        if (objectives > 0) withSlo++;
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
    );
    // Not vacuous: about a third of the generated environments compile for their dialect, some with SLOs.
    expect(built).toBeGreaterThan(0);
    expect(withSlo).toBeGreaterThan(0);
  });

  it('publishes declarations without @grafana/schema: its types are only checked, never exported', () => {
    // The build's compiler options (tsconfig.build.json), over the dashboard module and what it imports.
    const root = path.resolve(__dirname, '../../..');
    const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.build.json'), undefined, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(String(d.messageText));
      },
    })!;
    const entry = path.join(root, 'constructs/observability/dashboard.ts');
    const program = ts.createProgram([entry], { ...config.options, emitDeclarationOnly: true });
    const declarations = new Map<string, string>();
    program.emit(undefined, (file, text) => {
      if (path.basename(file).startsWith('dashboard')) declarations.set(path.basename(file), text);
    });
    expect([...declarations.keys()].sort()).toEqual([
      'dashboard-grafana.d.ts',
      'dashboard-panels.d.ts',
      'dashboard.d.ts',
    ]);
    // An import or reference of the package (its name in prose is fine).
    for (const [file, text] of declarations) expect(text, file).not.toMatch(/["']@grafana\//);
    expect(declarations.get('dashboard.d.ts')).toContain('export declare function routeDashboard(');
  }, 120_000);
});
