/**
 * The package's Pulumi CrossGuard pack. The build puts it in `lib/pulumi/policy-pack/` with its PulumiPolicy.yaml
 * and a package.json (the pack's version, CommonJS whatever the consumer's project uses), so a project names the
 * installed folder directly:
 *
 *     pulumi up --policy-pack node_modules/switchyard/lib/pulumi/policy-pack
 *
 * It needs `@pulumi/policy` installed beside switchyard (an optional peer: a missing install is an error naming it
 * and the command). It serves {@link guardrailPolicies} with {@link policyPackOptions}: the production profile, or
 * the one SWITCHYARD_GUARDRAILS_PROFILE names. This is the one module under constructs/ that reads the environment
 * (the architecture test exempts it): the Pulumi CLI runs it as a program and passes nothing else.
 *
 * Never imported by the library: `new PolicyPack` starts the gRPC server the Pulumi CLI talks to.
 */
import type * as policy from '@pulumi/policy';
import { requireOptional } from '../../core/optional';
import { guardrailPolicies, POLICY_PACK_NAME, policyPackOptions } from '../crossguard';

const options = policyPackOptions(process.env);
const { PolicyPack } = requireOptional<typeof policy>(
  '@pulumi/policy',
  "switchyard's CrossGuard pack (lib/pulumi/policy-pack)",
);
new PolicyPack(POLICY_PACK_NAME, { policies: guardrailPolicies(options) });
