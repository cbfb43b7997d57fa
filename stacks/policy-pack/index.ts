/**
 * The Pulumi CrossGuard pack of the reference platform: `pulumi up --stack prod --policy-pack stacks/policy-pack`.
 * Never imported by the tests: `new PolicyPack` starts a gRPC server for the Pulumi CLI. The policies it
 * serves are tested directly (test/constructs/pulumi/crossguard.test.ts).
 */
import { PolicyPack } from '@pulumi/policy';
import { deployerBindingException } from 'switchyard';
import { guardrailPolicies } from 'switchyard/crossguard';
import { platform } from '../platform';

new PolicyPack('switchyard-guardrails', {
  // Production strictness everywhere; a team relaxes one policy per stack with --policy-pack-config,
  // e.g. {"switchyard-image-digest": "disabled"}.
  policies: guardrailPolicies({
    profile: 'production',
    // Clusters the platform creates bind their deployer to cluster-admin (named <env>-cluster).
    exceptions: platform.environments
      .filter((env) => env.cluster.create?.kind === 'bare-metal')
      .map((env) => deployerBindingException(`${env.name}-cluster`)),
  }),
});
