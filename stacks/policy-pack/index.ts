/**
 * The Pulumi CrossGuard pack of the reference platform: `pulumi up --stack prod --policy-pack stacks/policy-pack`.
 * It serves what the package's own pack (node_modules/switchyard/lib/pulumi/policy-pack) serves, through the
 * public names: the production profile unless SWITCHYARD_GUARDRAILS_PROFILE says standard, and the deployer
 * bindings of the clusters the platform creates accepted by default (`allowSwitchyardDeployers`), so no
 * per-environment exception is computed here any more. A team relaxes one policy per stack with
 * --policy-pack-config, e.g. {"switchyard-image-digest": "disabled"}.
 *
 * Never imported by the tests: `new PolicyPack` starts a gRPC server for the Pulumi CLI. The policies it serves
 * are tested directly (test/constructs/pulumi/crossguard.test.ts, policy-pack.test.ts).
 */
import { PolicyPack } from '@pulumi/policy';
import { guardrailPolicies, POLICY_PACK_NAME, policyPackOptions } from 'switchyard/crossguard';

new PolicyPack(POLICY_PACK_NAME, { policies: guardrailPolicies(policyPackOptions(process.env)) });
