import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { PulumiProject } from '../../../constructs/cli/pulumi-project';
import { parsePulumiProject, parseStackConfig } from '../../../constructs/cli/pulumi-project';
import { validateGuardrailOptions } from '../../../constructs/guardrails/engine';
import { BUILT_IN_STACK_KEYS, stackSettingsFromText as fromText } from '../../../constructs/platform';
import { platform } from '../../../stacks/platform';
import { fuzzTarget, typedOnly } from './harness';
import { FUZZ_RUNS, FUZZ_TIMEOUT, misspell } from './mutate';

const root = path.resolve(__dirname, '../../..');
const PROJECT = parsePulumiProject(fs.readFileSync(path.join(root, 'Pulumi.yaml'), 'utf8'), 'Pulumi.yaml');
const FILE = 'Pulumi.prod.yaml';
const SETTINGS = platform.definition.settings ?? {};
/** The built-in keys and the reference platform's own. */
const STACK_KEYS = [...BUILT_IN_STACK_KEYS, ...Object.keys(SETTINGS)];
const stackSettingsFromText = (text: string, file: string, project: PulumiProject) =>
  fromText(text, file, project, SETTINGS);

/** YAML scalars a stack value may be written as: good, bad and tricky. */
const RAW = fc.oneof(
  fc.constantFrom(
    '4',
    '"4"',
    '0',
    '50',
    '51',
    '-1',
    '0x4',
    '"0x4"',
    '0o4',
    '1e1',
    '"1e1"',
    '4.0',
    '"4.0"',
    '" 4"',
    '.inf',
    '.nan',
    '~',
    'null',
    '',
    'true',
    '"true"',
    '[]',
    '{}',
    '[a, b]',
    '["10.0.0.1"]',
    '[1, 2]',
    '[a, ~]',
    'shop.example.org',
    'Bad_Domain',
    '10.0.0.0/8',
    '"10.0.0.1, 10.0.0.2"',
    'ops',
    '"Root User"',
    '&a x',
    '*a',
    '{ secure: v1:abc }',
    '[',
    '"',
    '- a',
    '!!binary aGVsbG8=',
    '!!int "4"',
    '0b11',
    '+4',
    '04',
  ),
  fc.integer().map(String),
  fc.string().map((s) => JSON.stringify(s)),
);
const KEY = fc.oneof(
  fc.constantFrom(...STACK_KEYS),
  fc.tuple(fc.constantFrom(...STACK_KEYS), fc.nat(), fc.nat()).map(([k, at, how]) => misspell(k, at, how)),
  fc.string({ minLength: 1, maxLength: 8 }).filter((s) => /^[A-Za-z]+$/.test(s)),
);
let bad = 0;
let accepted = 0;
afterAll(() => console.log(`[fuzz] stack files: ${bad} stack files run, ${accepted} accepted (each checked)`));

const INTEGERS: Record<string, [number, number]> = { replicas: [1, 50], canaryPercent: [0, 100] };

describe('strict stack files (property tests)', () => {
  it(
    'any stack file is read or refused with a typed error naming the key and the file; integers are decimal',
    () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(KEY, RAW), { maxLength: 4 }), fc.boolean(), (entries, namespaced) => {
          bad++;
          const lines = entries.map(([key, raw]) => `  ${namespaced ? 'switchyard:' : ''}${key}: ${raw}`);
          const text = `config:\n${lines.join('\n')}\n`;
          const error = typedOnly(() => stackSettingsFromText(text, FILE, PROJECT));
          if (error) {
            expect(error.message, text).toContain(FILE);
            return;
          }
          accepted++;
          const settings = stackSettingsFromText(text, FILE, PROJECT);
          const last = new Map(entries.map(([k, raw]) => [k, raw]));
          for (const [key, [min, max]] of Object.entries(INTEGERS)) {
            const raw = last.get(key);
            const value = settings.custom[key] as number | undefined;
            if (raw === undefined || value === undefined) continue;
            // Accepted only as decimal digits, quoted or not, within range.
            expect(raw, text).toMatch(/^(!!int )?"?(0|[1-9]\d*)"?$/);
            expect(value).toBeGreaterThanOrEqual(min);
            expect(value).toBeLessThanOrEqual(max);
          }
          for (const key of last.keys()) expect(STACK_KEYS as readonly string[], text).toContain(key);
        }),
        { numRuns: FUZZ_RUNS * 4 },
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'any YAML text, or any JSON document, as Pulumi.yaml or a stack file is parsed or refused with a typed error',
    () => {
      const text = fc.oneof(
        fc.string(),
        fc.jsonValue().map((v) => stringify(v)),
        fc.jsonValue().map((v) => stringify({ name: 'switchyard', runtime: 'nodejs', config: v })),
        fc.dictionary(fc.string(), fc.jsonValue()).map((config) => stringify({ config })),
      );
      fc.assert(
        fc.property(text, (t) => {
          bad++;
          const project = typedOnly(() => parsePulumiProject(t, 'Pulumi.yaml'));
          if (project) expect(project.message).toContain('Pulumi.yaml');
          const stack = typedOnly(() => parseStackConfig(t, FILE, PROJECT));
          if (stack) expect(stack.message).toContain(FILE);
        }),
        { numRuns: FUZZ_RUNS * 2 },
      );
    },
    FUZZ_TIMEOUT,
  );

  it('a misspelled key is refused with the nearest key suggested', () => {
    expect(() => stackSettingsFromText('config:\n  switchyard:canaryPrecent: 5\n', FILE, PROJECT)).toThrow(
      /Pulumi\.prod\.yaml: unknown key switchyard:canaryPrecent; .*did you mean switchyard:canaryPercent\?/,
    );
    expect(() => stackSettingsFromText('config:\n  switchyard:replicas: "0x4"\n', FILE, PROJECT)).toThrow(
      /switchyard:replicas \("0x4"\) must be an integer from 1 to 50, written in decimal digits/,
    );
  });
});

describe('strict guardrail options (property tests)', () => {
  fuzzTarget({
    name: 'validateGuardrailOptions',
    rich: {
      profile: 'production',
      allowedRegistries: ['ghcr.io/acme'],
      levels: { probes: 'warning', 'image-digest': 'off' },
      exceptions: [{ rule: 'probes', object: 'Deployment/shop/web', reason: 'batch worker' }],
      allowWildcardHosts: false,
      failOn: 'warning',
      profiles: { dev: 'standard' },
      json: true,
    },
    run: (o) => validateGuardrailOptions(o as never),
    freeKeys: (p) => p.length > 0 && ['levels', 'profiles'].includes(String(p[p.length - 1])),
  });
});
