/**
 * The cdk8s app (`cdk8s synth`, `npm run synth`): every environment into dist/<env>/ with its routing
 * snapshot and route map, after the guardrails; Pulumi.<env>.yaml settings apply as in the Pulumi program.
 */
import * as path from 'node:path';
import { synthPlatform } from 'switchyard';
import { platform } from './platform';

synthPlatform(platform, { root: path.resolve(__dirname, '..') });
