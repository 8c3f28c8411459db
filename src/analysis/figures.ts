// The kinds of number the JSON reports hold. docs/schemas is generated from the report types, so these aliases
// are what makes a schema say "a whole number, never negative" where TypeScript can only say number.

/**
 * A whole number of things: layers, files, paths, an index.
 * @asType integer
 * @minimum 0
 */
export type Count = number

/**
 * A number of bytes.
 * @asType integer
 * @minimum 0
 */
export type Bytes = number

/**
 * A difference in bytes: negative when the second image is smaller.
 * @asType integer
 */
export type ByteDelta = number
