// mocha's spec reporter, closing with one plain line CI reads: "N passed, N failed, N skipped", then one line for
// each suite whose prerequisites are missing (test/helpers/prerequisites.ts), so a pass never hides a suite that
// did not run.
const Mocha = require('mocha')

class SpecWithTotals extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options)
    runner.once('end', () => {
      const {passes, failures, pending} = this.stats
      process.stdout.write(`${passes} passed, ${failures} failed, ${pending} skipped\n`)
      for (const line of runner.suite.prerequisiteSkips ?? []) process.stdout.write(`${line}\n`)
    })
  }
}

module.exports = SpecWithTotals
