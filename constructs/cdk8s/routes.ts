import { ApiObject, App } from 'cdk8s';
import { Construct } from 'constructs';
import { compileRoutes } from '../routing/compile';
import type { Approximation, CompileTarget, KubeObject, RoutingPolicy, ServiceAnnotations } from '../routing/types';
import { addKubeObjects } from './kube-objects';

/** Properties of {@link Routes}. */
export interface RoutesProps {
  /** The routing policies, checked together (conflicts are found across all of them). */
  readonly policies: readonly RoutingPolicy[];
  /** The dialect, and for Gateway API the Gateway, to compile to. */
  readonly target: CompileTarget;
  /**
   * What to do with annotations the dialect needs on backend Services (HAProxy canaries and cookie
   * persistence): 'apply' adds them to the Services of this cdk8s app, and fails synth for a Service the
   * app does not define; 'ignore' leaves them to you (see `serviceAnnotations`).
   * @default 'apply'
   */
  readonly serviceAnnotations?: 'apply' | 'ignore';
  /**
   * Print the warnings (accepted approximations, deployment notes) to stderr when the app is
   * synthesized, each once per app however many `Routes` report it.
   * @default true
   */
  readonly printWarnings?: boolean;
}

/** Warnings already printed, per app: the same policy set compiled twice prints once. */
const PRINTED = new WeakMap<App, Set<string>>();

/**
 * Compiles routing policies for a controller and adds the resulting objects to the chart. Bad input,
 * conflicts and features the dialect cannot express throw at construction, naming the field.
 */
export class Routes extends Construct {
  /** What the dialect only approximates, or sets controller-wide, and what the controller needs. */
  public readonly warnings: readonly string[];
  /** The approximations the policies accepted (`acceptApproximations`). */
  public readonly approximations: readonly Approximation[];
  /** The compiled objects, as plain JSON (what `ApiObject`s were created from). */
  public readonly objects: readonly KubeObject[];
  /** Annotations the dialect needs on backend Services. */
  public readonly serviceAnnotations: readonly ServiceAnnotations[];

  public constructor(scope: Construct, id: string, props: RoutesProps) {
    super(scope, id);
    const result = compileRoutes(props.policies, props.target);
    this.objects = result.objects;
    this.warnings = result.warnings;
    this.approximations = result.approximations ?? [];
    this.serviceAnnotations = result.serviceAnnotations ?? [];
    addKubeObjects(this, result.objects);
    if ((props.serviceAnnotations ?? 'apply') === 'apply' && this.serviceAnnotations.length > 0) {
      // Services may be defined after the routes: apply at validation, which runs before rendering.
      this.node.addValidation({ validate: () => this.applyServiceAnnotations() });
    }
    if ((props.printWarnings ?? true) && this.warnings.length > 0) {
      this.node.addValidation({ validate: () => this.printWarnings() });
    }
  }

  private printWarnings(): string[] {
    const app = App.of(this);
    const printed = PRINTED.get(app) ?? new Set<string>();
    PRINTED.set(app, printed);
    for (const warning of this.warnings) {
      if (printed.has(warning)) continue;
      printed.add(warning);
      process.stderr.write(`switchyard: warning: ${warning}\n`);
    }
    return [];
  }

  private applyServiceAnnotations(): string[] {
    const services = App.of(this)
      .node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Service');
    const errors: string[] = [];
    for (const need of this.serviceAnnotations) {
      const service = services.find(
        (s) => s.name === need.service && (s.metadata.namespace ?? 'default') === need.namespace,
      );
      if (!service) {
        errors.push(
          `${need.owner} needs ${Object.keys(need.annotations).join(', ')} on Service ${need.namespace}/${need.service}, which this app does not define: ` +
            "define it here, or set serviceAnnotations: 'ignore' and annotate it yourself",
        );
        continue;
      }
      for (const [key, value] of Object.entries(need.annotations)) service.metadata.addAnnotation(key, value);
    }
    return errors;
  }
}
