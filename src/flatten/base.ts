import {InputError} from '../errors.js'
import type {Image} from '../image/image.js'

/**
 * How many layers `--from` keeps as they are: an index (the layers below it), a diff_id or a unique prefix of
 * one (up to and including it), or a base image whose layers are a prefix of the image's.
 */
export async function baseLayerCount(image: Image, from: string, open: (source: string) => Promise<Image>) {
  const ids = image.layers.map((layer) => layer.diffId ?? '')
  if (/^\d+$/.test(from)) {
    const n = Number(from)
    if (n >= ids.length)
      throw new InputError(`--from ${from}: the image has ${ids.length} layers; squash from 0 to ${ids.length - 1}`)
    return n
  }
  if (/^(sha256:)?[0-9a-f]{12,64}$/.test(from)) {
    const digest = from.startsWith('sha256:') ? from : `sha256:${from}`
    const matches = image.layers.filter((layer) => layer.diffId?.startsWith(digest))
    if (matches.length === 1) return matches[0].index + 1
    if (matches.length > 1) throw new InputError(`--from ${from}: several layers match`)
  }
  const base = await open(from)
  const baseIds = base.layers.map((layer) => layer.diffId ?? '')
  if (baseIds.length === 0 || baseIds.length > ids.length || baseIds.some((id, i) => id === '' || id !== ids[i]))
    throw new InputError(`--from ${from}: its layers are not a prefix of the image's`)
  return baseIds.length
}
