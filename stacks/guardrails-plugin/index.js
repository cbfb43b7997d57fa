// The cdk8s validation plugin entry named in cdk8s.yaml. cdk8s-cli require()s local plugins as plain
// JavaScript, so register tsx to load the TypeScript sources of this repository. A consumer of the
// published package points cdk8s.yaml at node_modules/switchyard/lib/guardrails/cdk8s-validation.js instead.
require('tsx/cjs/api').register();
module.exports = require('../../constructs/guardrails/cdk8s-validation.ts');
