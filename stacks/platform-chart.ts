import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { WebApp } from '../constructs';
import type { EnvironmentConfig } from './environments';

/** Everything one environment runs, as cdk8s objects. */
export class PlatformChart extends Chart {
  public constructor(scope: Construct, id: string, env: EnvironmentConfig) {
    super(scope, id, { disableResourceNameHashes: true });
    const namespace = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: env.namespace,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.27',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
    const app = new WebApp(this, 'web', {
      namespace: env.namespace,
      image: env.app.image,
      replicas: env.app.replicas,
    });
    app.node.addDependency(namespace);
  }
}
