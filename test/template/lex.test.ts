import assert from 'node:assert/strict'

import {lex} from '../../src/template/lex.js'

/** The tokens as `type:value`, without the end of input. */
const tokens = (input: string) =>
  lex(input)
    .filter((t) => t.type !== 'eof')
    .map((t) => `${t.type}:${t.value}`)

describe("template lexer: Go's text/template/parse lexer", () => {
  it('splits text from actions, and an action into its words', () => {
    assert.deepEqual(tokens('a {{.Name | printf "%s" 3}} b'), [
      'text:a ',
      'leftDelim:{{',
      'field:.Name',
      'space: ',
      'pipe:|',
      'space: ',
      'identifier:printf',
      'space: ',
      'string:"%s"',
      'space: ',
      'number:3',
      'rightDelim:}}',
      'text: b',
    ])
  })

  it('trim markers eat the white space beside them; a minus without a space is a number', () => {
    assert.deepEqual(tokens('a \n\t{{- .A -}}\n b'), [
      'text:a',
      'leftDelim:{{',
      'field:.A',
      'rightDelim: -}}',
      'text:b',
    ])
    assert.deepEqual(tokens('{{-3}}'), ['leftDelim:{{', 'number:-3', 'rightDelim:}}'])
    assert.deepEqual(tokens('{{.A  -}} x'), ['leftDelim:{{', 'field:.A', 'space: ', 'rightDelim: -}}', 'text:x'])
  })

  it('drops comments, which must sit right inside the delimiters', () => {
    assert.deepEqual(tokens('x{{/* a\ncomment */}}y{{- /* c */ -}} z'), ['text:x', 'text:y', 'text:z'])
  })

  it('reads fields, chains, variables, declarations, keywords and literals', () => {
    assert.deepEqual(tokens("{{range $i, $v := .A.B}}{{$}}{{(.X).Y}}{{'a' 0x1F 1.5e3 true nil `r`}}{{end}}"), [
      'leftDelim:{{',
      'keyword:range',
      'space: ',
      'variable:$i',
      'char:,',
      'space: ',
      'variable:$v',
      'space: ',
      'declare::=',
      'space: ',
      'field:.A',
      'field:.B',
      'rightDelim:}}',
      'leftDelim:{{',
      'variable:$',
      'rightDelim:}}',
      'leftDelim:{{',
      'leftParen:(',
      'field:.X',
      'rightParen:)',
      'field:.Y',
      'rightDelim:}}',
      'leftDelim:{{',
      "charConstant:'a'",
      'space: ',
      'number:0x1F',
      'space: ',
      'number:1.5e3',
      'space: ',
      'bool:true',
      'space: ',
      'nil:nil',
      'space: ',
      'rawString:`r`',
      'rightDelim:}}',
      'leftDelim:{{',
      'keyword:end',
      'rightDelim:}}',
    ])
    assert.deepEqual(tokens('{{$x = .}}'), [
      'leftDelim:{{',
      'variable:$x',
      'space: ',
      'assign:=',
      'space: ',
      'dot:.',
      'rightDelim:}}',
    ])
  })

  it("fails as Go's lexer does, with the line", () => {
    const failures: Array<[string, string]> = [
      ['a\n\n{{.X', 'line 3: unclosed action'],
      ['{{"abc}}', 'line 1: unterminated quoted string'],
      ['{{.Name}}\n{{"a\nb"}}', 'line 2: unterminated quoted string'],
      ['{{`abc}}', 'line 1: unterminated raw quoted string'],
      ["{{'a}}", 'line 1: unterminated character constant'],
      ['{{/* x }}', 'line 1: unclosed comment'],
      ['{{/* x */ .Name}}', 'line 1: comment ends before closing delimiter'],
      ['{{3x}}', 'line 1: bad number syntax: "3x"'],
      ['{{-.A}}', 'line 1: bad number syntax: "-.A"'],
      ['{{.A"x"}}', "line 1: bad character U+0022 '\"'"],
      ['{{(1}}', 'line 1: unclosed left paren'],
      ['{{a:b}}', 'line 1: expected :='],
      ['{{ \u2028 }}', 'line 1: unrecognized character in action: U+2028'],
    ]
    for (const [input, message] of failures)
      assert.throws(() => lex(input), {name: 'TemplateError', phase: 'parse', message}, input)
  })
})
