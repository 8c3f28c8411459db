/**
 * An error in a template, found while parsing it (Go's parse errors: bad syntax, an undefined function or
 * variable) or while executing it on a row (Go's execution errors: no such field, wrong argument types).
 * `functionName` is set when the error is a call of an undefined function, so the caller can list what exists.
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError'

  constructor(
    message: string,
    readonly phase: 'parse' | 'execute',
    readonly functionName?: string,
  ) {
    super(message)
  }
}

/** Go's `line:column` of a byte offset in the template (line from 1, column from 0, as Go reports them). */
export function lineAndColumn(input: string, pos: number): {line: number; column: number} {
  const before = input.slice(0, pos)
  const lastNewline = before.lastIndexOf('\n')
  return {line: before.split('\n').length, column: pos - lastNewline - 1}
}
