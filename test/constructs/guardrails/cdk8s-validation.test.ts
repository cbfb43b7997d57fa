import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ValidationContext } from 'cdk8s-cli/plugins';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { GuardrailValidation, type GuardrailValidationProps } from '../../../constructs/guardrails/cdk8s-validation';
import { deployment, goodContainer, goodPodSpec, goodWorkload, PDB } from './fixtures';

/** Writes `dist/<env>/app.k8s.yaml` (and routing.json when given) and returns the manifest paths. */
function dist(envs: Record<string, { objects: unknown[]; routing?: unknown }>): string[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-plugin-'));
  return Object.entries(envs).map(([env, { objects, routing }]) => {
    fs.mkdirSync(path.join(root, env));
    const file = path.join(root, env, 'app.k8s.yaml');
    fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
    if (routing) fs.writeFileSync(path.join(root, env, 'routing.json'), JSON.stringify(routing));
    return file;
  });
}

async function validate(manifests: string[], props: GuardrailValidationProps = {}) {
  const context = new ValidationContext(manifests, 'switchyard-guardrails', '0.0.0', {}, false);
  const logged: string[] = [];
  (context.logger as { log: (m: string) => void }).log = (m) => logged.push(m);
  await new GuardrailValidation(props).validate(context);
  return { report: context.report.toJson(), success: context.report.success, logged };
}

const plainHttp = {
  environment: 'prod',
  target: { dialect: 'gateway-api' },
  policies: [
    {
      name: 'shop',
      namespace: 'shop',
      hosts: ['shop.example.com'],
      rules: [{ backends: [{ service: 'web', port: 80 }] }],
    },
  ],
};

describe('GuardrailValidation (cdk8s validation plugin)', () => {
  it('succeeds on a clean environment and records the counts', async () => {
    const { success, report } = await validate(dist({ prod: { objects: goodWorkload() } }));
    expect(success).toBe(true);
    expect(report.violations).toEqual([]);
    expect(report.summary.metadata).toEqual({ findings: '0 danger, 0 warning, 0 info', failOn: 'danger' });
  });

  it('fails on a danger finding, naming the rule, object, field, fix and file', async () => {
    const bad = deployment(goodPodSpec({ hostNetwork: true }));
    const [file] = dist({ prod: { objects: [bad, PDB] } });
    const { success, report } = await validate([file!]);
    expect(success).toBe(false);
    expect(report.violations).toEqual([
      {
        ruleName: 'pss-restricted (danger)',
        recommendation: "Deployment/shop/web: hostNetwork is true: the pod shares the node's namespace",
        fix: 'remove hostNetwork',
        violatingConstructs: [
          {
            resourceName: 'web',
            locations: ['spec.template.spec.hostNetwork'],
            manifestPath: file,
            constructPath: undefined,
          },
        ],
      },
    ]);
  });

  it('logs findings below failOn instead of failing', async () => {
    const probeless = goodWorkload(goodPodSpec({ containers: [goodContainer({ livenessProbe: undefined })] }));
    const { success, logged } = await validate(dist({ dev: { objects: probeless } }));
    expect(success).toBe(true);
    expect(logged).toEqual([
      expect.stringMatching(
        /^warning probes Deployment\/shop\/web .*livenessProbe: container 'app' has no livenessProbe$/,
      ),
    ]);
    expect((await validate(dist({ dev: { objects: probeless } }), { failOn: 'warning' })).success).toBe(false);
  });

  it('applies each folder its profile and reads its routing.json', async () => {
    const files = dist({
      dev: { objects: goodWorkload(), routing: { ...plainHttp, environment: 'dev' } },
      prod: { objects: goodWorkload(), routing: plainHttp },
    });
    const { success, report } = await validate(files, { profiles: { dev: 'standard', prod: 'production' } });
    expect(success).toBe(false);
    expect(
      report.violations.map(
        (v) => `${v.ruleName} ${v.violatingConstructs[0]!.manifestPath.split(path.sep).slice(-2).join('/')}`,
      ),
    ).toEqual(['route-tls (danger) prod/routing.json', 'route-timeouts (danger) prod/routing.json']);
  });

  it('validates its properties when cdk8s.yaml instantiates it', () => {
    expect(() => new GuardrailValidation({ failOn: 'fatal' as never })).toThrow(InvalidPropertyError);
    expect(() => new GuardrailValidation({ profiles: { prod: 'strict' as never } })).toThrow(
      /profiles.prod must be 'standard' or 'production', got "strict"/,
    );
    expect(() => new GuardrailValidation({ levels: { nope: 'off' } })).toThrow(/unknown rule "nope"/);
  });
});
