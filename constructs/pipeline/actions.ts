/**
 * Third-party actions the generated workflows use, pinned by full commit SHA (a moved tag cannot change
 * what runs). The version each SHA was released as is kept beside it for the reviewer and for Dependabot.
 */
export interface PinnedAction {
  readonly repository: string;
  readonly sha: string;
  readonly version: string;
}

function pin(repository: string, sha: string, version: string): PinnedAction {
  return { repository, sha, version };
}

/** The GitHub Actions the workflows use, pinned by commit SHA. */
export const ACTIONS = {
  checkout: pin('actions/checkout', '11bd71901bbe5b1630ceea73d27597364c9af683', 'v4.2.2'),
  setupNode: pin('actions/setup-node', '39370e3970a6d050c480ffad4ff0ed4d3fdee5af', 'v4.1.0'),
  uploadArtifact: pin('actions/upload-artifact', '65c4c4a1ddee5b72f698fdd19549f0f0fb45cf08', 'v4.6.0'),
  awsCredentials: pin('aws-actions/configure-aws-credentials', 'e3dd6a429d7300a6a4c196c26e071d42e0343502', 'v4.0.2'),
  gcpAuth: pin('google-github-actions/auth', '6fc4af4b145ae7821d527454aa9bd537d1f2dc5f', 'v2.1.7'),
  azureLogin: pin('azure/login', 'a65d910e8af852a8061c627c456678983e180302', 'v2.2.0'),
  pulumi: pin('pulumi/actions', '8e5e406f4007fca908480587cb9893c07090f58d', 'v7.0.0'),
  trivy: pin('aquasecurity/trivy-action', '57a97c7e7821a5776cebc9bb87c984fa69cba8f1', 'v0.35.0'),
  cosignInstaller: pin('sigstore/cosign-installer', '6f9f17788090df1f26f669e9d70d6ae9567deba6', 'v4.1.2'),
  kind: pin('helm/kind-action', 'a1b0e391336a6ee6713a0583f8c6240d70863de3', 'v1.12.0'),
} as const;

/** The `uses:` value of a pinned action. */
export function uses(action: PinnedAction): string {
  return `${action.repository}@${action.sha}`;
}
