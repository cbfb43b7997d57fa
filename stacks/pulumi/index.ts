/** The Pulumi program (Pulumi.yaml `main`): deploys the environment named by the stack. */
import { deployPlatform } from 'switchyard/pulumi';
import { platform } from '../platform';

export = deployPlatform(platform);
