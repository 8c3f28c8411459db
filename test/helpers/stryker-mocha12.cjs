// Stryker's mocha runner (9.x, the last Stryker for Node 20) requires mocha's CLI helpers without an extension
// (lib/cli/run-helpers); mocha 12 names them .cjs. Loaded with --require in Stryker and in its test runners
// (npm run mutate, stryker.config.json), it lets require() try .cjs as well.
const Module = require('node:module')

Module._extensions['.cjs'] = Module._extensions['.js']
