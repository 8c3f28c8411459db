import type {Command, Control, Node, Operand, Pipeline, TemplateCall, Tree} from './ast.js'
import {quote, sprint} from './fmt.js'
import type {FunctionTable, ParamType} from './functions.js'
import {TemplateError, lineAndColumn} from './template-error.js'
import {fieldOf, isInt, isRecord, isTrue, NoFieldError, sortedKeys, typeName, type Value} from './values.js'

/**
 * Executes a parsed template on one value (Go's text/template exec.go): writes its text and the values of its
 * actions to `out`. Variables are scoped as Go scopes them (to the enclosing `end`), `range` walks slices,
 * maps (by sorted key) and integers, functions get their arguments checked against their parameters, and
 * pipelines pass each command's value to the next as its last argument. An action's nil value prints as
 * nothing (docker's listings show an empty column), where Go would print `<no value>`.
 */
export function execute(tree: Tree, dot: Value, functions: FunctionTable, input: string, out: string[]): void {
  new State(tree, functions, input, out, dot).walk(dot, tree.root)
}

/** How deep `template` calls may nest (Go allows 100000; a JS stack holds fewer). */
const MAX_DEPTH = 1000

/** Go's missingVal: no value comes down the pipeline. */
const MISSING = Symbol('missing')
type Final = Value | typeof MISSING

const BREAK = Symbol('break')
const CONTINUE = Symbol('continue')

const GO_TYPES: {[type in ParamType]: string} = {any: 'interface {}', string: 'string', int: 'int', strings: '[]string'}

interface At {
  pos: number
  source: string
}

class State {
  private vars: Array<{name: string; value: Value}>
  private depth = 0

  constructor(
    private readonly tree: Tree,
    private readonly functions: FunctionTable,
    private readonly input: string,
    private readonly out: string[],
    root: Value,
  ) {
    this.vars = [{name: '$', value: root}]
  }

  private fail(at: At, message: string): never {
    const {line, column} = lineAndColumn(this.input, at.pos)
    const context = [...at.source].length > 20 ? `${[...at.source].slice(0, 20).join('')}...` : at.source
    throw new TemplateError(`line ${line}, column ${column}, at <${context}>: ${message}`, 'execute')
  }

  walk(dot: Value, nodes: Node[]): void {
    for (const node of nodes) this.walkNode(dot, node)
  }

  private walkNode(dot: Value, node: Node): void {
    switch (node.type) {
      case 'text':
        this.out.push(node.text)
        return
      case 'action': {
        const value = this.pipeline(dot, node.pipeline)
        if (node.pipeline.declarations.length === 0 && value !== null && value !== undefined)
          this.out.push(sprint([value]))
        return
      }
      case 'if':
      case 'with': {
        const scope = this.vars.length
        const value = this.pipeline(dot, node.pipeline)
        if (isTrue(value)) this.walk(node.type === 'with' ? value : dot, node.list)
        else if (node.elseList) this.walk(dot, node.elseList)
        this.vars.length = scope
        return
      }
      case 'range':
        return this.range(dot, node)
      case 'template':
        return this.template(dot, node)
      case 'break':
        throw BREAK
      case 'continue':
        throw CONTINUE
    }
  }

  private range(dot: Value, node: Control): void {
    const scope = this.vars.length
    const {declarations, isAssign} = node.pipeline
    try {
      const value = this.pipeline(dot, node.pipeline)
      const inner = this.vars.length
      const iteration = (key: Value, element: Value) => {
        if (isAssign) {
          this.assign(node, declarations[0], declarations.length > 1 ? key : element)
          if (declarations.length > 1) this.assign(node, declarations[1], element)
        } else if (declarations.length > 0) {
          this.vars[inner - 1].value = element
          if (declarations.length > 1) this.vars[inner - 2].value = key
        }
        try {
          this.walk(element, node.list)
        } catch (signal) {
          if (signal !== CONTINUE) throw signal
        } finally {
          this.vars.length = inner
        }
      }
      let iterated = false
      if (Array.isArray(value)) {
        value.forEach((element, i) => iteration(i, element))
        iterated = value.length > 0
      } else if (isRecord(value)) {
        const keys = sortedKeys(value)
        for (const key of keys) iteration(key, value[key])
        iterated = keys.length > 0
      } else if (isInt(value)) {
        if (declarations.length > 1)
          this.fail(node.pipeline, `can't use ${value} to iterate over more than one variable`)
        for (let i = 0; i < value; i++) iteration(i, i)
        iterated = value > 0
      } else if (value !== null && value !== undefined) {
        this.fail(node.pipeline, `range can't iterate over ${sprint([value])}`)
      }
      if (!iterated && node.elseList) this.walk(dot, node.elseList)
    } catch (signal) {
      if (signal !== BREAK) throw signal
    } finally {
      this.vars.length = scope
    }
  }

  private template(dot: Value, node: TemplateCall): void {
    const body = this.tree.definitions.get(node.name)
    if (!body) this.fail(node, `template ${quote(node.name)} not defined`)
    if (this.depth >= MAX_DEPTH) this.fail(node, `exceeded maximum template depth (${MAX_DEPTH})`)
    const value = node.pipeline ? this.pipeline(dot, node.pipeline) : null
    const vars = this.vars
    this.vars = [{name: '$', value}]
    this.depth++
    try {
      this.walk(value, body)
    } finally {
      this.vars = vars
      this.depth--
    }
  }

  private pipeline(dot: Value, pipeline: Pipeline): Value {
    let value: Final = MISSING
    for (const command of pipeline.commands) value = this.command(dot, command, value)
    for (const name of pipeline.declarations) {
      if (pipeline.isAssign) this.assign(pipeline, name, value)
      else this.vars.push({name, value})
    }
    return value
  }

  private variable(at: At, name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value
    return this.fail(at, `undefined variable: ${name}`)
  }

  private assign(at: At, name: string, value: Value): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value
        return
      }
    }
    this.fail(at, `undefined variable: ${name}`)
  }

  private command(dot: Value, command: Command, final: Final): Value {
    const [first] = command.args
    switch (first.type) {
      case 'field':
        return this.fields(dot, first, first.names, command.args, final)
      case 'chain':
        return this.fields(this.arg(dot, first.node, 'any'), first, first.names, command.args, final)
      case 'identifier':
        return this.call(dot, first, command.args.slice(1), final, command)
      case 'variable': {
        const value = this.variable(first, first.name)
        if (first.names.length > 0) return this.fields(value, first, first.names, command.args, final)
        this.notAFunction(command.args, final)
        return value
      }
    }
    this.notAFunction(command.args, final)
    switch (first.type) {
      case 'pipeline':
        return this.pipeline(dot, first)
      case 'dot':
        return dot
      case 'nil':
        return this.fail(first, 'nil is not a command')
      default:
        return first.value
    }
  }

  private notAFunction(args: Operand[], final: Final): void {
    if (args.length > 1 || final !== MISSING)
      this.fail(args[0], `can't give argument to non-function ${args[0].source}`)
  }

  /** `.A.B.C` of `receiver`; only the last may be given arguments, and as fields are not functions, none may. */
  private fields(receiver: Value, at: At, names: string[], args: Operand[], final: Final): Value {
    let value = receiver
    names.forEach((name, i) => {
      try {
        value = fieldOf(value, name)
      } catch (error) {
        if (error instanceof NoFieldError) throw new TemplateError(error.message, 'execute')
        this.fail(at, (error as Error).message)
      }
      if (i === names.length - 1 && (args.length > 1 || final !== MISSING))
        this.fail(at, `${name} is not a method but has arguments`)
    })
    return value
  }

  /** Calls a function; its own errors are reported at the command (`at`), as Go reports them. */
  private call(
    dot: Value,
    node: Extract<Operand, {type: 'identifier'}>,
    args: Operand[],
    final: Final,
    at: At = node,
  ): Value {
    const fn = this.functions[node.name]
    const count = args.length + (final === MISSING ? 0 : 1)
    if (fn.variadic ? count < fn.params.length : count !== fn.params.length)
      this.fail(
        node,
        `wrong number of args for ${node.name}: want ${fn.variadic ? 'at least ' : ''}${fn.params.length} got ${count}`,
      )
    const typeAt = (i: number) => fn.params[i] ?? fn.variadic ?? 'any'
    const values: Array<() => Value> = args.map((arg, i) => () => this.arg(dot, arg, typeAt(i)))
    if (final !== MISSING) values.push(() => this.checkType(node, final, typeAt(args.length)))
    const call = fn.call as (...args: unknown[]) => Value
    try {
      return fn.lazy ? call(...values) : call(...values.map((value) => value()))
    } catch (error) {
      if (error instanceof TemplateError) throw error
      return this.fail(at, `error calling ${node.name}: ${(error as Error).message}`)
    }
  }

  /** An argument's value, checked against the parameter it goes to. */
  private arg(dot: Value, node: Operand, type: ParamType): Value {
    switch (node.type) {
      case 'dot':
        return this.checkType(node, dot, type)
      case 'nil':
        if (type !== 'any') this.fail(node, `cannot assign nil to ${GO_TYPES[type]}`)
        return null
      case 'field':
        return this.checkType(node, this.fields(dot, node, node.names, [node], MISSING), type)
      case 'variable': {
        const value = this.variable(node, node.name)
        return this.checkType(
          node,
          node.names.length > 0 ? this.fields(value, node, node.names, [node], MISSING) : value,
          type,
        )
      }
      case 'pipeline':
        return this.checkType(node, this.pipeline(dot, node), type)
      case 'identifier':
        return this.checkType(node, this.call(dot, node, [], MISSING), type)
      case 'chain':
        return this.checkType(
          node,
          this.fields(this.arg(dot, node.node, 'any'), node, node.names, [node], MISSING),
          type,
        )
    }
    if (type === 'string' && node.type !== 'string') this.fail(node, `expected string; found ${node.source}`)
    if (type === 'int' && (node.type !== 'number' || !isInt(node.value)))
      this.fail(node, `expected integer; found ${node.source}`)
    if (type === 'strings') this.fail(node, `can't handle ${node.source} for arg of type []string`)
    return node.value
  }

  private checkType(at: At, value: Value, type: ParamType): Value {
    const ok =
      type === 'any' ||
      (type === 'string' && typeof value === 'string') ||
      (type === 'int' && isInt(value)) ||
      (type === 'strings' && Array.isArray(value) && value.every((item) => typeof item === 'string'))
    if (ok) return value
    if (value === null || value === undefined) return this.fail(at, `invalid value; expected ${GO_TYPES[type]}`)
    return this.fail(at, `wrong type for value; expected ${GO_TYPES[type]}; got ${typeName(value)}`)
  }
}
