import assert from 'node:assert/strict'

import type {Node, Operand} from '../../src/template/ast.js'
import {parse} from '../../src/template/parse.js'

const FUNCTIONS = new Set(['printf', 'upper', 'eq', 'index'])

/** A node as a short string: enough to see the tree's shape. */
function shape(node: Node | Operand): unknown {
  switch (node.type) {
    case 'text':
      return `text(${node.text})`
    case 'action':
      return shape(node.pipeline)
    case 'if':
    case 'with':
    case 'range': {
      const out: unknown[] = [node.type, shape(node.pipeline), node.list.map(shape)]
      return node.elseList ? [...out, node.elseList.map(shape)] : out
    }
    case 'template':
      return ['template', node.name, node.pipeline && shape(node.pipeline)]
    case 'pipeline': {
      const commands = node.commands.map((c) => c.args.map(shape).join(' '))
      const declared =
        node.declarations.length > 0 ? `${node.declarations.join(', ')} ${node.isAssign ? '=' : ':='} ` : ''
      return `${declared}${commands.join(' | ')}`
    }
    case 'chain':
      return `(${shape(node.node)}).${node.names.join('.')}`
    default:
      return node.source
  }
}

const tree = (input: string) => parse(input, FUNCTIONS)

describe("template parser: Go's text/template/parse", () => {
  it('parses pipelines, declarations, chains and parenthesized pipelines', () => {
    assert.deepEqual(tree('{{$x := .A.B | printf "%s" | upper}}{{(index .L 0).Name}}').root.map(shape), [
      '$x := .A.B | printf "%s" | upper',
      '(index .L 0).Name',
    ])
  })

  it('{{else if}} is an if inside the else, closed by the one {{end}}', () => {
    assert.deepEqual(tree('{{if .A}}a{{else if .B}}b{{else}}c{{end}}').root.map(shape), [
      ['if', '.A', ['text(a)'], [['if', '.B', ['text(b)'], ['text(c)']]]],
    ])
    assert.deepEqual(tree('{{with .A}}a{{else with .B}}b{{end}}').root.map(shape), [
      ['with', '.A', ['text(a)'], [['with', '.B', ['text(b)']]]],
    ])
  })

  it('range declares an index and an element; break and continue belong inside it', () => {
    assert.deepEqual(
      tree('{{range $i, $v := .L}}{{if eq $i 1}}{{break}}{{end}}{{continue}}{{else}}none{{end}}').root.map(shape),
      [['range', '$i, $v := .L', [['if', 'eq $i 1', ['break']], 'continue'], ['text(none)']]],
    )
  })

  it('define and block add templates; template calls one', () => {
    const parsed = tree('{{define "row"}}[{{.}}]{{end}}{{template "row" .A}}{{block "b" .}}<{{.}}>{{end}}')
    assert.deepEqual(parsed.root.map(shape), [
      ['template', 'row', '.A'],
      ['template', 'b', '.'],
    ])
    assert.deepEqual(
      [...parsed.definitions].map(([name, body]) => [name, body.map(shape)]),
      [
        ['row', ['text([)', '.', 'text(])']],
        ['b', ['text(<)', '.', 'text(>)']],
      ],
    )
    // an empty definition does not replace a full one
    assert.deepEqual(tree('{{define "a"}}x{{end}}{{define "a"}} {{end}}').definitions.get('a')?.map(shape), ['text(x)'])
  })

  it('fails where Go fails before running anything, with the line', () => {
    const failures: Array<[string, string]> = [
      ['a\n{{if .X}}\nb', 'line 3: unexpected EOF'],
      ['{{end}}', 'line 1: unexpected {{end}}'],
      ['{{else}}', 'line 1: unexpected {{else}}'],
      ['x\n{{nosuch}}', 'line 2: function "nosuch" not defined'],
      ['{{$x}}', 'line 1: undefined variable "$x"'],
      ['{{$x = 1}}', 'line 1: undefined variable "$x"'],
      ['{{$x := 1}}{{with 2}}{{$y := 3}}{{end}}{{$y}}', 'line 1: undefined variable "$y"'],
      ['{{range $i, $v := .}}{{end}}{{$v}}', 'line 1: undefined variable "$v"'],
      ['{{range $a, $b, $c := .List}}{{end}}', 'line 1: too many declarations in range'],
      ['{{with $x, $y := .Name}}{{end}}', 'line 1: too many declarations in with'],
      ['{{range $i, }}{{end}}', 'line 1: missing value for range'],
      ['{{if}}{{end}}', 'line 1: missing value for if'],
      ['{{}}', 'line 1: missing value for command'],
      ['{{$x := }}', 'line 1: missing value for command'],
      ['{{break}}', 'line 1: {{break}} outside {{range}}'],
      ['{{continue}}', 'line 1: {{continue}} outside {{range}}'],
      ['{{.Name | 1}}', 'line 1: non executable command in pipeline stage 2'],
      ['{{1)}}', 'line 1: unexpected ")" in command'],
      ["{{'ab'}}", "line 1: malformed character constant: 'ab'"],
      ['{{.Name,}}', 'line 1: unexpected "," in operand'],
      ['{{ ~ }}', 'line 1: unexpected "~" in command'],
      ['{{if .X}}\n{{else}}\n{{else}}{{end}}', 'line 3: expected end; found {{else}}'],
      ['{{range .List}}{{else if 1}}{{end}}', 'line 1: unexpected <if> in input'],
      ['{{range .}}{{define "x"}}{{end}}{{end}}', 'line 1: unexpected <define> in command'],
      ['{{block "b" .}}{{else}}{{end}}', 'line 1: unexpected {{else}} in block clause'],
      ['{{define "a"}}x{{end}}{{define "a"}}y{{end}}', 'line 1: template: multiple definition of template "a"'],
      ['{{template .Name}}', 'line 1: unexpected ".Name" in template clause'],
      ['{{"a".X}}', 'line 1: unexpected . after term "\\"a\\""'],
      ['{{08}}', 'line 1: integer overflow: "08"'],
      ['{{99999999999999999999}}', 'line 1: integer overflow: "99999999999999999999"'],
      ['{{1.2.3}}', 'line 1: unexpected ".3" in operand'],
      ['{{if 1}}{{end x}}', 'line 1: unexpected "x" in end'],
      ['{{"\\q"}}', 'line 1: invalid syntax'],
      ['{{printf "%s" "a"x}}', 'line 1: unexpected "x" in operand'],
      ['{{printf "%s" (upper "a")"x"}}', 'line 1: unexpected "\\"x\\"" in operand'],
      ['{{if 1}}{{end "abcdefghijklmnop"}}', 'line 1: unexpected "\\"abcdefghi"... in end'],
      ['{{if 1}}{{end héllowörldxyz}}', 'line 1: unexpected "héllowörld"... in end'],
      ['{{1i}}', 'line 1: complex number 1i is not supported'],
    ]
    for (const [input, message] of failures)
      assert.throws(() => tree(input), {name: 'TemplateError', phase: 'parse', message}, input)
  })
})
