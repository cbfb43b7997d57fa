/**
 * The guardrails as a cdk8s validation plugin: `cdk8s synth` runs them over what it wrote and fails with a
 * readable report. Registered in cdk8s.yaml under `validations:` (class `GuardrailValidation`).
 * Files are read only through the context cdk8s passes in, so this module stays free of I/O.
 */
import * as path from 'node:path';
import { InvalidPropertyError, show, within } from '../core/validate';
import { parseRoutingSnapshot, ROUTING_SNAPSHOT_FILE } from '../routing/route-map';
import { isBlocking, runGuardrails, summarizeFindings, validateGuardrailOptions } from './engine';
import { type Finding, type GuardrailOptions, type Manifest, objectRef, SEVERITIES, type Severity } from './findings';

/** The part of cdk8s-cli's `ValidationContext` the plugin uses (structural, so consumers need no cdk8s-cli types). */
export interface GuardrailValidationContext {
  readonly manifests: readonly string[];
  /** Parses one manifest file into its objects. */
  parseManifest(manifestPath: string): unknown[];
  readonly report: {
    /** Records one violation. */
    addViolation(violation: {
      ruleName: string;
      recommendation: string;
      fix: string;
      violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[];
    }): void;
    /** Ends the report with its overall status. */
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
  /** Where the plugin prints. */
  readonly logger: {
    /** Prints one line in cdk8s-cli's validation output. */
    log(message: string): void;
  };
}

/** The file `synthPlatform` writes beside an environment's manifests: the guardrail options it checked them with. */
export const GUARDRAILS_FILE = 'guardrails.json';

/** `properties` of the plugin in cdk8s.yaml. */
export interface GuardrailValidationProps extends GuardrailOptions {
  /**
   * Profile per environment, keyed by the folder synth writes it to (`dist/<env>/`).
   * @default - `profile` for every environment
   */
  readonly profiles?: Readonly<Record<string, 'standard' | 'production'>>;
  /**
   * Synth fails when a finding is at least this bad.
   * @default 'danger'
   */
  readonly failOn?: Severity;
}

/**
 * The guardrails as a cdk8s validation plugin (cdk8s.yaml `validations`): after synth, runs every rule over the
 * manifests with the profile of each output folder, and fails synth on findings at or above `failOn`.
 */
export class GuardrailValidation {
  private readonly props: GuardrailValidationProps;

  public constructor(props: GuardrailValidationProps = {}) {
    if (props.failOn !== undefined && !SEVERITIES.includes(props.failOn)) {
      throw new InvalidPropertyError('failOn', `failOn must be danger, warning or info, got ${show(props.failOn)}`);
    }
    for (const [env, profile] of Object.entries(props.profiles ?? {})) {
      if (profile !== 'standard' && profile !== 'production') {
        throw new InvalidPropertyError(
          `profiles.${env}`,
          `profiles.${env} must be 'standard' or 'production', got ${show(profile)}`,
        );
      }
    }
    validateGuardrailOptions(props);
    this.props = props;
  }

  /** Called by cdk8s-cli with the synthesized manifests; reports findings as violations. */
  public async validate(context: GuardrailValidationContext): Promise<void> {
    const folders = new Map<string, string[]>();
    for (const file of context.manifests)
      folders.set(path.dirname(file), [...(folders.get(path.dirname(file)) ?? []), file]);
    const all: Finding[] = [];
    for (const [folder, files] of folders) {
      const fileOf = new Map<string, string>();
      const objects = files.flatMap((file) => {
        const parsed = (context.parseManifest(file) as Manifest[]).filter((o) => o && typeof o === 'object');
        for (const o of parsed) fileOf.set(objectRef(o), file);
        return parsed;
      });
      const snapshotFile = path.join(folder, ROUTING_SNAPSHOT_FILE);
      const snapshot = this.readSnapshot(context, snapshotFile);
      const own = this.readOptions(context, path.join(folder, GUARDRAILS_FILE));
      const profile = own?.profile ?? this.props.profiles?.[path.basename(folder)] ?? this.props.profile;
      const options: GuardrailOptions = {
        ...this.props,
        ...own,
        profile,
        exceptions: [...(this.props.exceptions ?? []), ...(own?.exceptions ?? [])],
      };
      const findings = runGuardrails(objects, options, snapshot?.policies, snapshot?.target);
      for (const f of findings) {
        if (!isBlocking([f], this.props.failOn)) {
          context.logger.log(`${f.severity} ${f.rule} ${f.object} ${f.field}: ${f.message}`);
          continue;
        }
        context.report.addViolation({
          ruleName: `${f.rule} (${f.severity})`,
          recommendation: `${f.object}: ${f.message}`,
          fix: f.fix,
          violatingResources: [
            {
              resourceName: f.object.split('/').pop()!,
              locations: [f.field],
              manifestPath: fileOf.get(f.object) ?? (f.object.startsWith('RoutingPolicy/') ? snapshotFile : files[0]!),
            },
          ],
        });
      }
      all.push(...findings);
    }
    context.report.submit(isBlocking(all, this.props.failOn) ? 'failure' : 'success', {
      findings: summarizeFindings(all),
      failOn: this.props.failOn ?? 'danger',
    });
  }

  // synthPlatform writes the environment's own guardrail options beside its manifests.
  private readOptions(context: GuardrailValidationContext, file: string): GuardrailOptions | undefined {
    let documents: unknown[];
    try {
      documents = context.parseManifest(file);
    } catch {
      return undefined;
    }
    const options = documents[0] as GuardrailOptions;
    within(undefined, () => validateGuardrailOptions(options), file);
    return options;
  }

  // Synth writes routing.json beside the manifests; an app without routes has none.
  private readSnapshot(context: GuardrailValidationContext, file: string) {
    let documents: unknown[];
    try {
      documents = context.parseManifest(file);
    } catch {
      return undefined;
    }
    return parseRoutingSnapshot(JSON.stringify(documents[0]), file);
  }
}
