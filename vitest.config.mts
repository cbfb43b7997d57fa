import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  resolve: {
    // As tsconfig.json's paths: stacks/ and examples/ import the package by its public names.
    alias: [
      { find: /^switchyard$/, replacement: source('./constructs/index.ts') },
      { find: /^switchyard\/pulumi$/, replacement: source('./constructs/pulumi/index.ts') },
      { find: /^switchyard\/crossguard$/, replacement: source('./constructs/pulumi/crossguard.ts') },
      { find: /^switchyard\/(eks|gke|aks|vm)$/, replacement: source('./constructs/cluster/$1.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Pulumi mocks are process-global: keep each test file in its own process.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
