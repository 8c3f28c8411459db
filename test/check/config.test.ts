import assert from 'node:assert/strict'
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {configReport, effectiveConfig} from '../../src/check/config.js'
import {InputError} from '../../src/errors.js'
import {scratch} from '../helpers/images.js'

describe("check's configuration: file, then flags, then defaults", () => {
  const tmp = scratch()
  after(() => tmp.remove())
  // a repository whose config lives at its root; the working directory is a subdirectory
  const repo = join(tmp.dir, 'repo')
  mkdirSync(join(repo, '.git'), {recursive: true})
  mkdirSync(join(repo, 'sub'))
  const config = tmp.file(
    'repo/.docker-layers.yml',
    "images: [app:1]\nrules:\n  maxLayers: 12\n  lowestEfficiency: 0.8\n  forbidPaths: ['**/.env']\n",
  )
  const dive = tmp.file('other.dive-ci', 'rules:\n  lowestEfficiency: 0.95\n  plugin1/rule1: error\n')
  const sub = join(repo, 'sub')
  const bare = join(tmp.dir, 'bare') // a repository with no config
  mkdirSync(join(bare, '.git'), {recursive: true})

  it('the nearest file up to the repository root; flags win over it; the rest are the defaults', () => {
    const {config: read, settings} = effectiveConfig({cwd: sub, flags: {maxLayers: {value: '9', from: '--max-layers'}}})
    assert.equal(read.path, config)
    assert.deepEqual(read.images, ['app:1'])
    assert.deepEqual(settings.maxLayers, {value: '9', from: '--max-layers'})
    assert.deepEqual(settings.lowestEfficiency, {value: '0.8', from: config})
    assert.deepEqual(settings.forbidPaths, {value: ['**/.env'], from: config})
    assert.deepEqual(settings.highestUserWastedPercent, {value: '0.1', from: 'default (dive)'})
    assert.deepEqual(settings.maxImageBytes, {value: 'off', from: 'default'})
  })

  it('--config names the file instead of the search (a dive .dive-ci too); no file found means defaults', () => {
    const given = effectiveConfig({file: dive, cwd: sub, flags: {}})
    assert.equal(given.config.path, dive)
    assert.deepEqual(given.settings.lowestEfficiency, {value: '0.95', from: dive})
    assert.deepEqual(given.settings.maxLayers, {value: 'off', from: 'default'})
    const none = effectiveConfig({cwd: bare, flags: {}})
    assert.deepEqual(none.config, {images: [], rules: {}})
  })

  it('every threshold is checked before any image is read', () => {
    assert.throws(
      () => effectiveConfig({cwd: sub, flags: {maxLayerBytes: {value: 'big', from: '--maxLayerBytes'}}}),
      (error: Error) =>
        error instanceof InputError &&
        error.message === 'maxLayerBytes "big" (from --maxLayerBytes): expected a size such as 20MB, 512KiB or 1B',
    )
  })

  it('--print-config: every rule in order, its value and where it came from', () => {
    const {config: read, settings} = effectiveConfig({
      cwd: sub,
      flags: {forbidPaths: {value: ['a', 'b'], from: '--forbidPaths'}},
    })
    assert.deepEqual(configReport(read, settings), {
      config,
      images: ['app:1'],
      rules: [
        {rule: 'lowestEfficiency', value: '0.8', from: config},
        {rule: 'highestWastedBytes', value: 'disabled', from: 'default (dive)'},
        {rule: 'highestUserWastedPercent', value: '0.1', from: 'default (dive)'},
        {rule: 'maxImageBytes', value: 'off', from: 'default'},
        {rule: 'maxLayers', value: '12', from: config},
        {rule: 'maxLayerBytes', value: 'off', from: 'default'},
        {rule: 'maxWastedBytes', value: 'off', from: 'default'},
        {rule: 'maxWastedPercent', value: 'off', from: 'default'},
        {rule: 'maxGrowthBytes', value: 'off', from: 'default'},
        {rule: 'maxGrowthPercent', value: 'off', from: 'default'},
        {rule: 'forbidPaths', value: ['a', 'b'], from: '--forbidPaths'},
      ],
    })
    const none = effectiveConfig({cwd: bare, flags: {}})
    assert.equal(configReport(none.config, none.settings).config, null)
  })
})
