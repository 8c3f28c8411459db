import {analyzeImage} from '../../src/analysis/analyze.js'
import {LayerContentsBuilder} from '../../src/model/entry.js'
import type {Image} from '../../src/image/image.js'
import {StreamReader} from '../../src/tar/byte-reader.js'
import {walkTar} from '../../src/tar/walk.js'
import {type LayerSpec, layerTar} from './images.js'

/** Parses generated layers through the real tar reader, into an Image with no archive around it. */
export async function imageOf(layers: LayerSpec[]): Promise<Image> {
  const contents = []
  for (const [index, layer] of layers.entries()) {
    const builder = new LayerContentsBuilder(`layer ${index}`)
    await walkTar(new StreamReader([layerTar(layer)]), `layer ${index}`, ({header}) => {
      builder.add(header)
    })
    contents.push(builder.contents)
  }
  return {
    source: {kind: 'docker-archive', name: 'generated'},
    repoTags: [],
    config: {history: layers.map((l, i) => ({created_by: l.createdBy ?? `layer ${i}`}))},
    layers: contents.map((layerContents, index) => ({index, contents: layerContents})),
    notes: [],
    close: async () => {},
  }
}

export async function analyzeLayers(layers: LayerSpec[]) {
  return analyzeImage(await imageOf(layers), 100)
}

/** The per-layer counts as compact tuples: [added, modified, removed, removedBytes, wastedBytes]. */
export function counts(report: Awaited<ReturnType<typeof analyzeLayers>>): Array<Array<number | null>> {
  return report.layers.map((l) => [l.added, l.modified, l.removed, l.removedBytes, l.wastedBytes])
}
