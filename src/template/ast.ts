/**
 * The parse tree of a Go template (text/template/parse's nodes). Every node keeps its offset in the template
 * (`pos`) and the text it was parsed from (`source`), which execution errors quote as Go does (`at <.Name>`).
 */

interface At {
  pos: number
  source: string
}

/** Something that yields a value: the words of a command. */
export type Operand =
  | (At & {type: 'field'; names: string[]}) // .A.B
  | (At & {type: 'variable'; name: string; names: string[]}) // $x.A.B
  | (At & {type: 'chain'; node: Operand; names: string[]}) // (pipeline).A.B
  | (At & {type: 'identifier'; name: string}) // a function
  | (At & {type: 'dot'})
  | (At & {type: 'nil'})
  | (At & {type: 'bool'; value: boolean})
  | (At & {type: 'number'; value: number})
  | (At & {type: 'string'; value: string})
  | Pipeline

/** A function or field and its arguments: one stage of a pipeline. */
export interface Command extends At {
  type: 'command'
  args: Operand[]
}

/** `$x := a | b c` : declared (or assigned) variables and commands, each fed the previous one's value. */
export interface Pipeline extends At {
  type: 'pipeline'
  declarations: string[]
  isAssign: boolean
  commands: Command[]
}

/** `{{if}}`, `{{with}}` or `{{range}}`, its body and its `{{else}}` part. */
export interface Control extends At {
  type: 'if' | 'with' | 'range'
  pipeline: Pipeline
  list: Node[]
  elseList?: Node[]
}

/** `{{template "name" pipeline}}` (also what `{{block}}` leaves in place). */
export interface TemplateCall extends At {
  type: 'template'
  name: string
  pipeline?: Pipeline
}

export type Node =
  | (At & {type: 'text'; text: string})
  | (At & {type: 'action'; pipeline: Pipeline})
  | Control
  | TemplateCall
  | (At & {type: 'break' | 'continue'})

/** A parsed template: its body and the templates it defines (`define`, `block`). */
export interface Tree {
  root: Node[]
  definitions: Map<string, Node[]>
}
