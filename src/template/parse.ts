import type {Command, Node, Operand, Pipeline, Tree} from './ast.js'
import {quote} from './fmt.js'
import {lex, type Token, type TokenType} from './lex.js'
import {parseNumber, unquote} from './literals.js'
import {TemplateError, lineAndColumn} from './template-error.js'

/**
 * The parser of Go's text/template (text/template/parse, parse.go): actions, pipelines with declarations,
 * `if`/`else if`/`with`/`else with`/`range`/`break`/`continue`/`end`, `define`/`template`/`block`, and the
 * checks Go makes before running anything: functions and variables must be defined, `end`s must match.
 */
export function parse(input: string, functions: ReadonlySet<string>): Tree {
  return new Parser(input, functions).parse()
}

type Item = Node | {type: 'end' | 'else'; pos: number}

const OPERAND_STARTS = new Set<TokenType>([
  'bool',
  'charConstant',
  'dot',
  'field',
  'identifier',
  'number',
  'nil',
  'rawString',
  'string',
  'variable',
  'leftParen',
])

class Parser {
  private readonly tokens: Token[]
  private i = 0
  /** The furthest token read or peeked at: Go reports a parse error on its line. */
  private furthest = 0
  private vars = ['$']
  private rangeDepth = 0
  private readonly definitions = new Map<string, Node[]>()

  constructor(
    private readonly input: string,
    private readonly functions: ReadonlySet<string>,
  ) {
    this.tokens = lex(input)
  }

  parse(): Tree {
    const root: Node[] = []
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const save = this.i
        this.next()
        const word = this.nextNonSpace()
        if (word.type === 'keyword' && word.value === 'define') {
          this.definition()
          continue
        }
        this.i = save
      }
      const item = this.textOrAction()
      if (item.type === 'end' || item.type === 'else') this.fail(`unexpected {{${item.type}}}`)
      root.push(item as Node)
    }
    return {root, definitions: this.definitions}
  }

  // tokens

  private next(): Token {
    const token = this.peek()
    this.i++
    return token
  }

  private peek(): Token {
    const index = Math.min(this.i, this.tokens.length - 1)
    this.furthest = Math.max(this.furthest, index)
    return this.tokens[index]
  }

  private nextNonSpace(): Token {
    let token = this.next()
    while (token.type === 'space') token = this.next()
    return token
  }

  private peekNonSpace(): Token {
    const token = this.nextNonSpace()
    this.i--
    return token
  }

  /** Where the last consumed token ends. */
  private end(): number {
    const last = this.tokens[this.i - 1]
    return last.pos + last.value.length
  }

  private fail(message: string, functionName?: string): never {
    const at = this.tokens[this.furthest].pos
    throw new TemplateError(`line ${lineAndColumn(this.input, at).line}: ${message}`, 'parse', functionName)
  }

  /** Go's name for a token in a message: EOF, <if>, <.>, or the quoted text (cut at 10 characters). */
  private unexpected(token: Token, context: string): never {
    const described =
      token.type === 'eof'
        ? 'EOF'
        : token.type === 'keyword' || token.type === 'dot' || token.type === 'nil'
          ? `<${token.value}>`
          : [...token.value].length > 10
            ? `${quote([...token.value].slice(0, 10).join(''))}...`
            : quote(token.value)
    this.fail(`unexpected ${described} in ${context}`)
  }

  private expect(type: TokenType, context: string): Token {
    const token = this.nextNonSpace()
    if (token.type !== type) this.unexpected(token, context)
    return token
  }

  // structure

  private textOrAction(): Item {
    const token = this.nextNonSpace()
    if (token.type === 'text') return {type: 'text', text: token.value, pos: token.pos, source: token.value}
    if (token.type === 'leftDelim') return this.action()
    return this.unexpected(token, 'input')
  }

  private itemList(): [Node[], Item] {
    const list: Node[] = []
    while (this.peekNonSpace().type !== 'eof') {
      const item = this.textOrAction()
      if (item.type === 'end' || item.type === 'else') return [list, item]
      list.push(item as Node)
    }
    return this.fail('unexpected EOF')
  }

  private action(): Item {
    const token = this.nextNonSpace()
    if (token.type === 'keyword') {
      switch (token.value) {
        case 'block':
          return this.block(token)
        case 'break':
        case 'continue':
          return this.breakOrContinue(token)
        case 'else':
          return this.elseClause()
        case 'end':
          return {type: 'end', pos: this.expect('rightDelim', 'end').pos}
        case 'if':
        case 'range':
        case 'with':
          return this.control(token.value, token)
        case 'template':
          return this.templateCall(token)
      }
    }
    this.i--
    const pipeline = this.pipeline('command', 'rightDelim')
    return {type: 'action', pipeline, pos: pipeline.pos, source: pipeline.source}
  }

  private control(context: 'if' | 'range' | 'with', keyword: Token): Node {
    const scope = this.vars.length
    const pipeline = this.pipeline(context, 'rightDelim')
    if (context === 'range') this.rangeDepth++
    const [list, next] = this.itemList()
    if (context === 'range') this.rangeDepth--
    let elseList: Node[] | undefined
    if (next.type === 'else') {
      const chained = this.peek()
      if (context !== 'range' && chained.type === 'keyword' && chained.value === context) {
        // {{else if …}} is {{else}}{{if …}}…{{end}} sharing the outer {{end}}; likewise {{else with …}}
        this.next()
        elseList = [this.control(context, chained)]
      } else {
        const [list, end] = this.itemList()
        if (end.type !== 'end') this.fail('expected end; found {{else}}')
        elseList = list
      }
    }
    this.vars.length = scope
    return {type: context, pipeline, list, elseList, pos: keyword.pos, source: pipeline.source}
  }

  private elseClause(): Item {
    const next = this.peekNonSpace()
    if (next.type === 'keyword' && (next.value === 'if' || next.value === 'with')) return {type: 'else', pos: next.pos}
    return {type: 'else', pos: this.expect('rightDelim', 'else').pos}
  }

  private breakOrContinue(keyword: Token): Node {
    const token = this.nextNonSpace()
    if (token.type !== 'rightDelim') this.unexpected(token, `{{${keyword.value}}}`)
    if (this.rangeDepth === 0) this.fail(`{{${keyword.value}}} outside {{range}}`)
    return {type: keyword.value as 'break' | 'continue', pos: keyword.pos, source: keyword.value}
  }

  private templateName(context: string): string {
    const token = this.nextNonSpace()
    if (token.type !== 'string' && token.type !== 'rawString') this.unexpected(token, context)
    return this.literal(() => unquote(token.value))
  }

  private templateCall(keyword: Token): Node {
    const name = this.templateName('template clause')
    let pipeline: Pipeline | undefined
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.i--
      pipeline = this.pipeline('template clause', 'rightDelim')
    }
    return {type: 'template', name, pipeline, pos: keyword.pos, source: `template ${quote(name)}`}
  }

  /** `{{block "name" pipeline}}body{{end}}`: defines the template and calls it here. */
  private block(keyword: Token): Node {
    const name = this.templateName('block clause')
    const pipeline = this.pipeline('block clause', 'rightDelim')
    this.define(name, this.body('block clause'))
    return {type: 'template', name, pipeline, pos: keyword.pos, source: `block ${quote(name)}`}
  }

  /** `{{define "name"}}body{{end}}`, at the top level only. */
  private definition(): void {
    const name = this.templateName('define clause')
    this.expect('rightDelim', 'define clause')
    this.define(name, this.body('define clause'))
  }

  /** The body of a defined template: its own scope, where only `$` is declared. */
  private body(context: string): Node[] {
    const [vars, rangeDepth] = [this.vars, this.rangeDepth]
    this.vars = ['$']
    this.rangeDepth = 0
    const [list, end] = this.itemList()
    if (end.type !== 'end') this.fail(`unexpected {{else}} in ${context}`)
    this.vars = vars
    this.rangeDepth = rangeDepth
    return list
  }

  private define(name: string, body: Node[]): void {
    const isEmpty = (nodes: Node[]) => nodes.every((n) => n.type === 'text' && n.text.trim() === '')
    const existing = this.definitions.get(name)
    if (existing && !isEmpty(existing) && !isEmpty(body))
      this.fail(`template: multiple definition of template ${quote(name)}`)
    if (!existing || !isEmpty(body)) this.definitions.set(name, body)
  }

  // pipelines

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): Pipeline {
    const start = this.peekNonSpace().pos
    const declarations: string[] = []
    let isAssign = false
    for (;;) {
      const variable = this.peekNonSpace()
      if (variable.type !== 'variable') break
      const save = this.i
      this.next()
      const next = this.peekNonSpace()
      if (next.type === 'declare' || next.type === 'assign') {
        this.nextNonSpace()
        isAssign = next.type === 'assign'
        if (isAssign && !this.vars.includes(variable.value)) this.fail(`undefined variable ${quote(variable.value)}`)
        declarations.push(variable.value)
        this.vars.push(variable.value)
        break
      }
      if (next.type === 'char' && next.value === ',') {
        this.nextNonSpace()
        declarations.push(variable.value)
        this.vars.push(variable.value)
        if (context === 'range' && declarations.length < 2) {
          if (['variable', 'rightDelim', 'rightParen'].includes(this.peekNonSpace().type)) continue
          this.fail('range can only initialize variables')
        }
        this.fail(`too many declarations in ${context}`)
      }
      this.i = save
      break
    }
    const commands: Command[] = []
    for (;;) {
      const token = this.nextNonSpace()
      if (token.type === end) break
      if (!OPERAND_STARTS.has(token.type)) this.unexpected(token, context)
      this.i--
      commands.push(this.command())
    }
    if (commands.length === 0) this.fail(`missing value for ${context}`)
    commands.slice(1).forEach((command, i) => {
      if (['bool', 'dot', 'nil', 'number', 'string'].includes(command.args[0].type))
        this.fail(`non executable command in pipeline stage ${i + 2}`)
    })
    const last = commands[commands.length - 1]
    const source = this.input.slice(start, last.pos + last.source.length)
    return {type: 'pipeline', declarations, isAssign, commands, pos: start, source}
  }

  private command(): Command {
    const start = this.peekNonSpace().pos
    const args: Operand[] = []
    for (;;) {
      this.peekNonSpace()
      const operand = this.operand()
      if (operand) args.push(operand)
      const token = this.next()
      if (token.type === 'space') continue
      if (token.type === 'rightDelim' || token.type === 'rightParen') this.i--
      else if (token.type !== 'pipe') this.unexpected(token, 'operand')
      break
    }
    if (args.length === 0) this.fail('empty command')
    const last = args[args.length - 1]
    return {type: 'command', args, pos: start, source: this.input.slice(start, last.pos + last.source.length)}
  }

  private operand(): Operand | undefined {
    const term = this.term()
    if (!term || this.peek().type !== 'field') return term
    const names: string[] = []
    while (this.peek().type === 'field') names.push(this.next().value.slice(1))
    const at = {pos: term.pos, source: this.input.slice(term.pos, this.end())}
    switch (term.type) {
      case 'field':
      case 'variable':
        return {...term, ...at, names: [...term.names, ...names]}
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.fail(`unexpected . after term ${quote(term.source)}`)
      default:
        return {type: 'chain', node: term, names, ...at}
    }
  }

  private term(): Operand | undefined {
    const token = this.nextNonSpace()
    const at = {pos: token.pos, source: token.value}
    switch (token.type) {
      case 'identifier':
        if (!this.functions.has(token.value)) this.fail(`function ${quote(token.value)} not defined`, token.value)
        return {type: 'identifier', name: token.value, ...at}
      case 'dot':
        return {type: 'dot', ...at}
      case 'nil':
        return {type: 'nil', ...at}
      case 'variable':
        if (!this.vars.includes(token.value)) this.fail(`undefined variable ${quote(token.value)}`)
        return {type: 'variable', name: token.value, names: [], ...at}
      case 'field':
        return {type: 'field', names: [token.value.slice(1)], ...at}
      case 'bool':
        return {type: 'bool', value: token.value === 'true', ...at}
      case 'number':
      case 'charConstant':
        return {type: 'number', value: this.literal(() => parseNumber(token.value)), ...at}
      case 'string':
      case 'rawString':
        return {type: 'string', value: this.literal(() => unquote(token.value)), ...at}
      case 'leftParen': {
        const pipeline = this.pipeline('parenthesized pipeline', 'rightParen')
        return {...pipeline, pos: token.pos, source: this.input.slice(token.pos, this.end())}
      }
    }
    this.i--
    return undefined
  }

  private literal<T>(read: () => T): T {
    try {
      return read()
    } catch (error) {
      return this.fail((error as Error).message)
    }
  }
}
