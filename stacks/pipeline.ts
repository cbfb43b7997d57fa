/**
 * The pipeline (`npm run pipeline`): GitHub Actions workflows generated from the platform's environments,
 * written to .github/workflows/. A test fails when the committed files are stale.
 */
import * as path from 'node:path';
import { platformPipelineProps, writePlatformPipeline } from 'switchyard';
import { platform } from './platform';

/** What the workflows are generated from. */
export const PIPELINE = platformPipelineProps(platform);

if (require.main === module) {
  for (const written of writePlatformPipeline(platform, path.resolve(__dirname, '..'))) console.log(`wrote ${written}`);
}
