import type {FlattenReport} from '../flatten/flatten.js'
import {humanSize} from '../human-size.js'
import type {View} from './render.js'

/** `flatten`: its text or its JSON. `sourceName` is the source as the user named it. */
export function flattenView(report: FlattenReport, sourceName: string): View {
  return {report, table: () => renderFlattenText(report, sourceName)}
}

/** flatten's human report: what it squashed into what, where it went, and what `--verify` found. */
export function renderFlattenText(report: FlattenReport, sourceName: string): string {
  const {before, after, output} = report
  const layers = `${after.layers} layer${after.layers === 1 ? '' : 's'}`
  const where =
    'file' in output
      ? `Wrote ${output.file} (${output.format}, ${output.compression}${output.tag ? `, tagged ${output.tag}` : ''})`
      : 'digest' in output
        ? `Pushed ${output.tag} (manifest ${output.digest}, ${output.compression} layer)`
        : `Loaded ${output.tag}`
  return (
    `Flattened ${sourceName}: ${before.layers} layers, ${humanSize(before.bytes)} -> ${layers}, ` +
    `${humanSize(after.bytes)} (saved ${humanSize(report.savedBytes)})\n` +
    `${where}: ${report.id}\n` +
    (report.verified === null ? '' : `Verified: ${report.verified} paths equal the source's final filesystem\n`)
  )
}
