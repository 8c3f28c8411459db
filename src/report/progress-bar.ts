import type {ReadProgress} from '../image/progress.js'
import {humanSize} from '../human-size.js'
import {counted} from './counted.js'

/**
 * A one-line progress display on stderr: bytes and layers done, rate, and an ETA when the size is known.
 * Shown only on a TTY, only once a read has lasted `delayMs`, and erased when the work ends.
 */
export function showProgress(
  progress: ReadProgress,
  label: string,
  options: {stream?: NodeJS.WriteStream; delayMs?: number} = {},
): () => void {
  const stream = options.stream ?? process.stderr
  if (!stream.isTTY) return () => {}
  const started = Date.now()
  const delay = options.delayMs ?? Number(process.env.DOCKER_LAYERS_PROGRESS_DELAY_MS ?? 500)
  let shown = false
  const draw = () => {
    const elapsed = (Date.now() - started) / 1000
    if (elapsed * 1000 < delay) return
    const line = progressLine(progress, label, elapsed).slice(0, (stream.columns || 80) - 1)
    stream.write(`\r\u001B[2K${line}`)
    shown = true
  }
  const timer = setInterval(draw, 100)
  timer.unref()
  return () => {
    clearInterval(timer)
    if (shown) stream.write('\r\u001B[2K')
  }
}

/**
 * What the progress line says after `elapsed` seconds: the label, bytes (of the total when known), the layer being
 * read counted from 1 (or the layers read so far when their number is unknown), the rate and an ETA.
 */
export function progressLine(progress: ReadProgress, label: string, elapsed: number): string {
  const done = progress.done
  const rate = elapsed > 0 ? done / elapsed : 0
  const parts = [label, progress.total ? `${humanSize(done)} / ${humanSize(progress.total)}` : humanSize(done)]
  if (progress.layersTotal)
    parts.push(`layer ${Math.min(progress.layersDone + 1, progress.layersTotal)}/${progress.layersTotal}`)
  else if (progress.layersDone > 0) parts.push(`${counted(progress.layersDone, 'layer')} read`)
  parts.push(`${humanSize(rate)}/s`)
  if (progress.total && rate > 0 && done < progress.total)
    parts.push(`ETA ${Math.ceil((progress.total - done) / rate)}s`)
  return parts.join('  ')
}
