import {InputError} from '../errors.js'

/**
 * The `created` time of the flattened image: the source's, so that the same source gives the same image ID, or
 * `SOURCE_DATE_EPOCH` when it is set, as reproducible-builds.org defines it (whole seconds since the epoch, UTC,
 * as `date +%s` prints; a malformed value is an error, an empty one is unset). RFC 3339 in UTC, as docker writes
 * it; undefined when the source has none and the variable is unset.
 */
export function createdTime(
  sourceCreated: string | undefined,
  sourceDateEpoch: string | undefined,
): string | undefined {
  if (sourceDateEpoch === undefined || sourceDateEpoch === '') return sourceCreated
  const seconds = /^\d+$/.test(sourceDateEpoch) ? Number(sourceDateEpoch) : Number.NaN
  const date = new Date(seconds * 1000)
  if (Number.isNaN(date.getTime()))
    throw new InputError(
      `SOURCE_DATE_EPOCH=${JSON.stringify(sourceDateEpoch)}: not whole seconds since 1970-01-01 UTC (as date +%s prints)`,
    )
  return date.toISOString().replace(/\.000Z$/, 'Z')
}
