import {readFile} from 'node:fs/promises'

import {InputError} from '../errors.js'
import {parseSize} from '../human-size.js'
import type {MetadataImage, MetadataLayer} from '../image/metadata.js'

interface InspectJson {
  Id?: string
  RepoTags?: string[]
  Os?: string
  Architecture?: string
  Created?: string
  Size?: number
  RootFS?: {Layers?: string[]}
}

interface HistoryRow {
  createdBy: string
  created: string | null
  size: number
  id: string | null
}

/** Instructions that change only the config; a 0-byte history entry with one of these is not a layer. */
const CONFIG_ONLY =
  /^(\/bin\/sh -c #\(nop\) +)?(ENV|CMD|LABEL|EXPOSE|USER|ENTRYPOINT|ARG|HEALTHCHECK|STOPSIGNAL|SHELL|VOLUME|ONBUILD|MAINTAINER|WORKDIR)\b/i

async function readJsonFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new InputError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
}

function parseInspect(text: string, path: string): InspectJson {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new InputError(`${path}: not JSON from docker image inspect (${(error as Error).message})`)
  }
  const first = Array.isArray(value) ? value[0] : value
  if (!first || typeof first !== 'object' || !('Id' in first || 'RootFS' in first))
    throw new InputError(`${path}: not the output of docker image inspect`)
  return first as InspectJson
}

/** The history API's JSON array, or `docker history --no-trunc --format '{{json .}}'` lines; oldest first. */
function parseHistory(text: string, path: string): {rows: HistoryRow[]; approximate: boolean} {
  let records: Array<Record<string, unknown>>
  try {
    const value = JSON.parse(text)
    records = Array.isArray(value) ? value : [value]
  } catch {
    try {
      records = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line))
    } catch (error) {
      throw new InputError(
        `${path}: not JSON from the history API or docker history --format '{{json .}}' (${(error as Error).message})`,
      )
    }
  }
  let approximate = false
  const rows = records.map((record, index): HistoryRow => {
    if (typeof record.CreatedBy !== 'string') throw new InputError(`${path}: history entry ${index} has no CreatedBy`)
    let size: number | undefined
    if (typeof record.Size === 'number') {
      size = record.Size
    } else if (typeof record.Size === 'string') {
      size = parseSize(record.Size)
      approximate ||= !/^\d+B?$/.test(record.Size)
    }
    if (size === undefined) throw new InputError(`${path}: history entry ${index} has no readable Size`)
    const created =
      typeof record.Created === 'number'
        ? new Date(record.Created * 1000).toISOString()
        : typeof record.CreatedAt === 'string'
          ? record.CreatedAt
          : null
    const id = (record.Id ?? record.ID) as string | undefined
    return {createdBy: record.CreatedBy, created, size, id: id && id !== '<missing>' ? id : null}
  })
  return {rows: rows.reverse(), approximate}
}

/** Which history rows made layers: all with bytes, then 0-byte ones that are not config-only, up to `count`. */
function layerRows(rows: HistoryRow[], count: number | undefined): HistoryRow[] {
  const sized = rows.filter((row) => row.size > 0 || !CONFIG_ONLY.test(row.createdBy.trim()))
  if (count === undefined || sized.length === count) return sized
  const withBytes = rows.filter((row) => row.size > 0)
  if (withBytes.length === count) return withBytes
  throw new InputError(`the history names ${sized.length} layers but inspect lists ${count}: give matching files`)
}

/** A metadata-only image from `docker image inspect` and/or `docker history` JSON. */
export async function readMetadata(
  inspectPath: string | undefined,
  historyPath: string | undefined,
): Promise<MetadataImage> {
  const inspect = inspectPath ? parseInspect(await readJsonFile(inspectPath, 'inspect file'), inspectPath) : undefined
  const history = historyPath ? parseHistory(await readJsonFile(historyPath, 'history file'), historyPath) : undefined
  const diffIds = inspect?.RootFS?.Layers
  let layers: MetadataLayer[]
  if (history) {
    const rows = layerRows(history.rows, diffIds?.length)
    layers = rows.map((row, index) => ({
      digest: diffIds?.[index] ?? null,
      createdBy: row.createdBy === '' ? null : row.createdBy,
      created: row.created,
      bytes: row.size,
    }))
  } else {
    layers = (diffIds ?? []).map((digest) => ({digest, createdBy: null, created: null, bytes: null}))
  }
  return {
    source: {kind: 'metadata', name: [inspectPath, historyPath].filter(Boolean).join(' + ')},
    id: inspect?.Id ?? null,
    repoTags: inspect?.RepoTags ?? [],
    os: inspect?.Os ?? null,
    architecture: inspect?.Architecture ?? null,
    created: inspect?.Created ?? null,
    size: inspect?.Size ?? null,
    layers,
    approximate: history?.approximate ?? false,
  }
}
