import { availableParallelism } from 'node:os';
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
    // Vitest's default leaves one core idle (cores - 1: one worker on 2 cores). The package tests mostly wait
    // on npm and the registry, so a second worker runs the rest meanwhile.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
