/**
 * The kind node image the pipeline's end-to-end job runs for a Kubernetes minor, so the throwaway cluster
 * runs the version the environment's cluster does. Pure data, no engine import.
 */
import { InvalidPropertyError, show } from '../core/validate';

/**
 * The kind release the images below were built for (a node image is guaranteed only with its own release).
 * The job runs the kind binary of the pinned helm/kind-action; pinning this one there is left to do.
 */
export const KIND_VERSION = 'v0.29.0';

/**
 * The images kind v0.29.0 pre-built, by Kubernetes minor, pinned by digest as its release notes ask.
 * Source: https://github.com/kubernetes-sigs/kind/releases/tag/v0.29.0 ("Images pre-built for this release").
 */
export const KIND_NODE_IMAGES: Readonly<Record<string, string>> = {
  '1.33': 'kindest/node:v1.33.1@sha256:050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f',
  '1.32': 'kindest/node:v1.32.5@sha256:e3b2327e3a5ab8c76f5ece68936e4cafaa82edf58486b769727ab0b3b97a5b0d',
  '1.31': 'kindest/node:v1.31.9@sha256:b94a3a6c06198d17f59cca8c6f486236fa05e2fb359cbd75dabbfc348a10b211',
  '1.30': 'kindest/node:v1.30.13@sha256:397209b3d947d154f6641f2d0ce8d473732bd91c87d9575ade99049aa33cd648',
};

/**
 * The pinned kind node image of a Kubernetes minor ('1.33').
 * @throws InvalidPropertyError naming `property` when no pinned image runs that minor
 */
export function kindNodeImage(kubernetesVersion: string, property = 'kubernetesVersion'): string {
  const image = Object.hasOwn(KIND_NODE_IMAGES, kubernetesVersion) ? KIND_NODE_IMAGES[kubernetesVersion] : undefined;
  if (image === undefined) {
    throw new InvalidPropertyError(
      property,
      `'${property}' (${show(kubernetesVersion)}) has no pinned kind node image (kind ${KIND_VERSION} has ${Object.keys(KIND_NODE_IMAGES).join(', ')}): use one of them or set 'kindNodeImage'`,
    );
  }
  return image;
}
