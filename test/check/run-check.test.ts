import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'

import {withDefaults} from '../../src/check/rules.js'
import {runCheck} from '../../src/check/run-check.js'
import {appendStepSummary} from '../../src/check/step-summary.js'
import {InputError} from '../../src/errors.js'
import type {Image} from '../../src/image/image.js'
import {scratch} from '../helpers/images.js'
import {imageOf} from '../helpers/model.js'

/** Images by name, each recording when it was opened and closed. */
function opener(layers: Record<string, number>) {
  const events: string[] = []
  const open = async (source: string): Promise<Image> => {
    events.push(`open ${source}`)
    const image = await imageOf(
      Array.from({length: layers[source]}, (_, i) => ({members: [{path: `f${i}`, content: 'x'.repeat(100)}]})),
    )
    return {...image, close: async () => void events.push(`close ${source}`)}
  }
  return {open, events}
}

describe('runCheck: each image against the rules, one in memory at a time', () => {
  const settings = withDefaults({maxLayers: {value: '2', from: '--maxLayers'}})

  it('checks the sources given, opening each after the last is closed; passed only if every image passed', async () => {
    const {open, events} = opener({small: 2, big: 3})
    const config = {images: ['ignored'], rules: {}}
    const report = await runCheck({sources: ['small', 'big'], config, settings, open})
    assert.deepEqual(events, ['open small', 'close small', 'open big', 'close big'])
    assert.equal(report.schemaVersion, 1)
    assert.equal(report.passed, false)
    assert.deepEqual(
      report.images.map((image) => [image.source, image.passed, image.rules.find((r) => r.rule === 'maxLayers')]),
      [
        [
          'small',
          true,
          {
            rule: 'maxLayers',
            from: '--maxLayers',
            threshold: 2,
            status: 'pass',
            value: 2,
            valueText: '2',
            thresholdText: '2',
            message: '2 within 2',
          },
        ],
        [
          'big',
          false,
          {
            rule: 'maxLayers',
            from: '--maxLayers',
            threshold: 2,
            status: 'fail',
            value: 3,
            valueText: '3',
            thresholdText: '2',
            message: '3 above 2',
          },
        ],
      ],
    )
  })

  it("with no source, the config's images; with neither, an input error naming the config", async () => {
    const {open, events} = opener({a: 1})
    const report = await runCheck({sources: [], config: {images: ['a'], rules: {}}, settings, open})
    assert.deepEqual([report.passed, events], [true, ['open a', 'close a']])
    await assert.rejects(
      runCheck({sources: [], config: {path: 'ci/.docker-layers.yml', images: [], rules: {}}, settings, open}),
      (error: Error) =>
        error instanceof InputError &&
        error.message === 'nothing to check: give SOURCE, or list images: in ci/.docker-layers.yml',
    )
  })

  it('reads the baseline first, and measures growth against it', async () => {
    const {open, events} = opener({old: 1, new: 2})
    const growth = withDefaults({maxGrowthBytes: {value: '50B', from: '--maxGrowthBytes'}})
    const report = await runCheck({
      sources: ['new'],
      config: {images: [], rules: {}},
      settings: growth,
      open,
      baseline: 'old',
    })
    assert.deepEqual(events, ['open old', 'close old', 'open new', 'close new'])
    assert.equal(report.images[0].rules.find((r) => r.rule === 'maxGrowthBytes')?.message, '100B above 50B')
  })
})

describe('the GitHub Actions step summary', () => {
  it('appends the markdown and a newline to $GITHUB_STEP_SUMMARY, and nothing without it', () => {
    const tmp = scratch()
    try {
      const summary = tmp.file('summary.md', 'before\n')
      appendStepSummary('### report', {GITHUB_STEP_SUMMARY: summary})
      appendStepSummary('### again', {GITHUB_STEP_SUMMARY: summary})
      appendStepSummary('### nowhere', {})
      assert.equal(readFileSync(summary, 'utf8'), 'before\n### report\n### again\n')
    } finally {
      tmp.remove()
    }
  })
})
