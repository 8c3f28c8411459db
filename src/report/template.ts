import {InputError} from '../errors.js'
import type {Node, Operand, Pipeline, Tree} from '../template/ast.js'
import {DOCKER_FUNCTIONS, DOCKER_HEADER_FUNCTIONS} from '../template/docker-functions.js'
import {execute} from '../template/evaluate.js'
import {GO_BUILTINS} from '../template/functions.js'
import {parse} from '../template/parse.js'
import {tabwrite} from '../template/tabwriter.js'
import {TemplateError} from '../template/template-error.js'

/**
 * `--format TEMPLATE` as the docker CLI runs it (cli/command/formatter): Go's text/template with docker's
 * functions, run on each row and followed by a newline; a typed `\t` or `\n` is a tab or a newline. A leading
 * `table` adds a header row (the template run on the column names: `{{.CreatedBy}}` heads CREATED BY) and
 * aligns the tab-separated columns, three spaces apart. Field names are the report's JSON names, matched
 * without regard to case. A bad template is an InputError naming what is wrong.
 */
export function renderTemplate(template: string, rows: object[]): string {
  const table = template.startsWith('table')
  const body = (table ? template.slice('table'.length) : template)
    .replaceAll(/^ +| +$/g, '')
    .replaceAll('\\t', '\t')
    .replaceAll('\\n', '\n')
  try {
    const tree = parse(body, FUNCTION_NAMES)
    const lines = rows.map((row) => {
      const out: string[] = []
      execute(tree, row, FUNCTIONS, body, out)
      return `${out.join('')}\n`
    })
    if (!table) return lines.join('')
    return tabwrite(`${header(tree, body, rows[0])}\n${lines.join('')}`, {minWidth: 0, padding: 3})
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
    const fields = rows.length > 0 ? `; fields: ${Object.keys(rows[0]).join(', ')}` : ''
    const known = error.functionName ? ` (functions: ${[...FUNCTION_NAMES].sort().join(', ')}${fields})` : ''
    throw new InputError(`--format: ${error.message}${known}`)
  }
}

/** Whether a --format value is a template rather than a named format. */
export function isTemplate(format: string): boolean {
  return format.includes('{{')
}

const FUNCTIONS = {...GO_BUILTINS, ...DOCKER_FUNCTIONS}
const HEADER_FUNCTIONS = {...GO_BUILTINS, ...DOCKER_HEADER_FUNCTIONS}
const FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS))

/** A column name as docker writes one: createdBy → CREATED BY. */
const columnName = (field: string) => field.replaceAll(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()

/** What the header row runs on: each field's value is its column name, and the row itself prints as VALUE. */
class HeaderRow {
  [field: string]: unknown

  String(): string {
    return 'VALUE'
  }
}

/**
 * The header row: the template run with docker's header functions on a HeaderRow that has the row's fields
 * and any others the template names. As in docker, an error there ends the header where it happened.
 */
function header(tree: Tree, body: string, row: object | undefined): string {
  const names = new HeaderRow()
  const keys = Object.keys(row ?? {})
  for (const name of fieldNames(tree)) {
    if (!keys.some((key) => key.toLowerCase() === name.toLowerCase())) names[name] = columnName(name)
  }
  for (const key of keys) names[key] = columnName(key)
  const out: string[] = []
  try {
    execute(tree, names, HEADER_FUNCTIONS, body, out)
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
  }
  return out.join('')
}

/** The first name of every field the template reads (`.A` of `.A.B`), for the header of an empty table. */
function fieldNames(tree: Tree): Set<string> {
  const names = new Set<string>()
  const operand = (node: Operand): void => {
    if (node.type === 'field') names.add(node.names[0])
    else if (node.type === 'pipeline') pipeline(node)
    else if (node.type === 'chain') operand(node.node)
  }
  const pipeline = (node: Pipeline | undefined) => node?.commands.forEach((command) => command.args.forEach(operand))
  const walk = (nodes: Node[]): void =>
    nodes.forEach((node) => {
      if (node.type === 'action' || node.type === 'template') pipeline(node.pipeline)
      if (node.type === 'if' || node.type === 'with' || node.type === 'range') {
        pipeline(node.pipeline)
        walk(node.list)
        walk(node.elseList ?? [])
      }
    })
  walk(tree.root)
  for (const body of tree.definitions.values()) walk(body)
  return names
}
