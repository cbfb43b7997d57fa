/** The cdk8s app entry (`cdk8s synth`, `npm run synth`): every environment into <outdir>/<env>/. */
import { ENVIRONMENTS } from './environments';
import { buildEnvironmentApp } from './synth';

const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
for (const env of ENVIRONMENTS) {
  buildEnvironmentApp(env, outdir).synth();
}
