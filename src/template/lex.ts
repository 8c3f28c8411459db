import {TemplateError, lineAndColumn} from './template-error.js'

/**
 * The lexer of Go's text/template (package text/template/parse, lex.go): text outside `{{ }}`, and inside an
 * action its words, with Go's rules for trim markers (`{{- ` and ` -}}` eat the white space beside them),
 * comments (`{{/* … *\/}}`, only right after the delimiter), strings, numbers and keywords.
 */

export type TokenType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'identifier'
  | 'keyword'
  | 'bool'
  | 'nil'
  | 'field'
  | 'variable'
  | 'dot'
  | 'string'
  | 'rawString'
  | 'charConstant'
  | 'number'
  | 'pipe'
  | 'declare'
  | 'assign'
  | 'leftParen'
  | 'rightParen'
  | 'char'
  | 'eof'

export interface Token {
  type: TokenType
  /** The token's text as written (a string keeps its quotes; text has its trimmed space removed). */
  value: string
  /** Offset of the token in the template. */
  pos: number
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with'])

const SPACE = new Set([' ', '\t', '\r', '\n'])
const isSpace = (c: string | undefined): boolean => c !== undefined && SPACE.has(c)
const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c)
const TERMINATORS = new Set(['.', ',', '|', ':', ')', '(', '}'])

/** Go's `%#U` of a character, as its lexer names a bad one: `U+0022 '"'` (the character only if printable). */
function describeChar(c: string): string {
  const code = `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c) ? `${code} '${c}'` : code
}

export function lex(input: string): Token[] {
  const tokens: Token[] = []
  let pos = 0
  const fail = (message: string, at: number): never => {
    throw new TemplateError(`line ${lineAndColumn(input, at).line}: ${message}`, 'parse')
  }
  /** A right delimiter at `at`, with or without a trim marker (` -}}`). */
  const rightDelimAt = (at: number): {delim: boolean; trim: boolean} => {
    if (isSpace(input[at]) && input[at + 1] === '-' && input.startsWith('}}', at + 2)) return {delim: true, trim: true}
    return {delim: input.startsWith('}}', at), trim: false}
  }
  const skipSpace = (at: number): number => {
    while (isSpace(input[at])) at++
    return at
  }
  const atTerminator = (at: number): boolean => at >= input.length || isSpace(input[at]) || TERMINATORS.has(input[at])

  while (pos <= input.length) {
    const open = input.indexOf('{{', pos)
    if (open < 0) {
      if (pos < input.length) tokens.push({type: 'text', value: input.slice(pos), pos})
      break
    }
    const trimLeft = input[open + 2] === '-' && isSpace(input[open + 3])
    const text = input.slice(pos, open)
    const kept = trimLeft ? text.replace(/[ \t\r\n]+$/, '') : text
    if (kept.length > 0) tokens.push({type: 'text', value: kept, pos})
    pos = open + 2 + (trimLeft ? 2 : 0)
    if (input.startsWith('/*', pos)) {
      const close = input.indexOf('*/', pos + 2)
      if (close < 0) fail('unclosed comment', open)
      const {delim, trim} = rightDelimAt(close + 2)
      if (!delim) fail('comment ends before closing delimiter', open)
      pos = close + 2 + (trim ? 2 : 0) + 2
      if (trim) pos = skipSpace(pos)
      continue
    }
    tokens.push({type: 'leftDelim', value: '{{', pos: open})
    pos = lexAction(pos)
  }
  tokens.push({type: 'eof', value: '', pos: input.length})
  return tokens

  /** Scans one action from `start` (just past `{{`) to past its `}}`; returns where the text resumes. */
  function lexAction(start: number): number {
    let at = start
    let parenDepth = 0
    const emit = (type: TokenType, from: number, to: number) =>
      tokens.push({type, value: input.slice(from, to), pos: from})
    for (;;) {
      const {delim, trim} = rightDelimAt(at)
      if (delim) {
        if (parenDepth > 0) fail('unclosed left paren', at)
        emit('rightDelim', at, at + (trim ? 4 : 2))
        at += trim ? 4 : 2
        return trim ? skipSpace(at) : at
      }
      if (at >= input.length) fail('unclosed action', at)
      const c = input[at]
      const from = at
      if (isSpace(c)) {
        // a run of spaces, stopping before the space of a trim-marked delimiter
        while (isSpace(input[at]) && !rightDelimAt(at).trim) at++
        emit('space', from, at)
      } else if (c === ':') {
        if (input[at + 1] !== '=') fail('expected :=', at)
        at += 2
        emit('declare', from, at)
      } else if (c === '|' || c === '(' || c === ')' || c === '=') {
        at++
        if (c === '(') parenDepth++
        if (c === ')') parenDepth--
        emit(c === '|' ? 'pipe' : c === '(' ? 'leftParen' : c === ')' ? 'rightParen' : 'assign', from, at)
      } else if (c === '"' || c === "'") {
        at++
        for (;;) {
          const d = input[at++]
          if (d === '\\' && input[at] !== undefined && input[at] !== '\n') at++
          else if (d === undefined || d === '\n' || d === '\\')
            fail(c === '"' ? 'unterminated quoted string' : 'unterminated character constant', from)
          else if (d === c) break
        }
        emit(c === '"' ? 'string' : 'charConstant', from, at)
      } else if (c === '`') {
        const close = input.indexOf('`', at + 1)
        if (close < 0) fail('unterminated raw quoted string', from)
        at = close + 1
        emit('rawString', from, at)
      } else if (c === '$' || (c === '.' && !/[0-9]/.test(input[at + 1] ?? ''))) {
        at++
        if (atTerminator(at)) {
          emit(c === '$' ? 'variable' : 'dot', from, at)
        } else {
          while (isAlphaNumeric(input[at])) at++
          if (!atTerminator(at)) fail(`bad character ${describeChar(input[at])}`, at)
          emit(c === '$' ? 'variable' : 'field', from, at)
        }
      } else if (c === '.' || c === '+' || c === '-' || /[0-9]/.test(c)) {
        at = scanNumber(at)
        emit('number', from, at)
      } else if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(input[at])) at++
        if (!atTerminator(at)) fail(`bad character ${describeChar(input[at])}`, at)
        const word = input.slice(from, at)
        emit(
          KEYWORDS.has(word)
            ? 'keyword'
            : word === 'true' || word === 'false'
              ? 'bool'
              : word === 'nil'
                ? 'nil'
                : 'identifier',
          from,
          at,
        )
      } else if (c <= '\u007f' && c >= ' ') {
        at++
        emit('char', from, at)
      } else {
        fail(`unrecognized character in action: ${describeChar(String.fromCodePoint(input.codePointAt(at) ?? 0))}`, at)
      }
    }
  }

  /** Go's scanNumber: sign, 0x/0o/0b prefixes, digits with `_`, fraction, exponent, an imaginary `i`. */
  function scanNumber(from: number): number {
    let at = from
    const accept = (chars: string) => (at < input.length && chars.includes(input[at]) ? (at++, true) : false)
    const acceptRun = (chars: string) => {
      while (at < input.length && chars.includes(input[at])) at++
    }
    accept('+-')
    let digits = '0123456789_'
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_'
      else if (accept('oO')) digits = '01234567_'
      else if (accept('bB')) digits = '01_'
    }
    acceptRun(digits)
    if (accept('.')) acceptRun(digits)
    if (digits.length === 11 && accept('eE')) {
      accept('+-')
      acceptRun('0123456789_')
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-')
      acceptRun('0123456789_')
    }
    accept('i')
    if (isAlphaNumeric(input[at])) fail(`bad number syntax: ${JSON.stringify(input.slice(from, at + 1))}`, from)
    return at
  }
}
