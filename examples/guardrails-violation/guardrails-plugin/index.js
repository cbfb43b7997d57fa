// cdk8s.yaml accepts only local plugin paths starting with './': point at the repository's plugin entry.
module.exports = require('../../../stacks/guardrails-plugin');
