// mocha's options. In CI (CI=true, as .ci/run sets it) a forgotten `.only` and any pending test fail the run: a
// test skipped in CI is a test that did not run. Outside CI a suite whose prerequisites are missing skips.
const ci = Boolean(process.env.CI) && process.env.CI !== 'false'

module.exports = {
  import: 'tsx',
  timeout: 120000,
  reporter: 'test/reporter.cjs',
  forbidOnly: ci,
  forbidPending: ci,
}
