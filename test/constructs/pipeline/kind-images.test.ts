import { describe, expect, it } from 'vitest';
import { KIND_NODE_IMAGES, KIND_VERSION, kindNodeImage } from '../../../constructs/pipeline/kind-images';
import { validatePipelineProps } from '../../../constructs/pipeline/validate';
import { SMALL, workflows } from './fixtures';

const kindStep = (props = SMALL) =>
  workflows(props)['switchyard-pull-request']!.jobs['end-to-end'].steps.find(
    (s: any) => s.name === 'Create a kind cluster',
  );

describe('the kind node image of the end-to-end job', () => {
  it('pins every image by digest, its tag naming the minor it is listed under', () => {
    for (const [minor, image] of Object.entries(KIND_NODE_IMAGES)) {
      expect(image).toMatch(new RegExp(`^kindest/node:v${minor.replace('.', '\\.')}\\.\\d+@sha256:[a-f0-9]{64}$`));
    }
    expect(KIND_VERSION).toMatch(/^v0\.\d+\.\d+$/);
  });

  it('defaults to 1.33, the minor Switchyard clusters run', () => {
    expect(kindStep().with.node_image).toBe(KIND_NODE_IMAGES['1.33']);
  });

  it('follows kubernetesVersion', () => {
    expect(kindStep({ ...SMALL, kubernetesVersion: '1.31' }).with.node_image).toBe(KIND_NODE_IMAGES['1.31']);
  });

  it('uses kindNodeImage as given', () => {
    const step = kindStep({ ...SMALL, kubernetesVersion: '1.28', kindNodeImage: 'kindest/node:v1.28.15' });
    expect(step.with.node_image).toBe('kindest/node:v1.28.15');
  });

  it('fails if no pinned image runs the minor, or the minor is malformed, naming the field', () => {
    expect(() => kindNodeImage('1.29')).toThrow(/'kubernetesVersion' \("1.29"\) has no pinned kind node image/);
    expect(() => kindNodeImage('toString')).toThrow(/has no pinned kind node image/);
    expect(() => validatePipelineProps({ ...SMALL, kubernetesVersion: '1.29' })).toThrow(
      /'kubernetesVersion' \("1.29"\) has no pinned kind node image .*set 'kindNodeImage'/,
    );
    expect(() => validatePipelineProps({ ...SMALL, kubernetesVersion: 'v1.33' })).toThrow(/kubernetesVersion/);
  });
});
