import assert from 'node:assert/strict'

import {DATA, runTemplate} from '../helpers/template.js'

/** [template, what Go 1.19's text/template prints on DATA] (printed by Go itself, with docker's functions). */
const GO_OUTPUTS: Array<[string, string]> = [
  // text, trim markers and comments
  ['plain text', 'plain text'],
  ['a {{- .Name -}} b', 'aweb-1b'],
  ['a {{.Name -}}\n\t b', 'a web-1b'],
  ['a \n {{- .Name}}', 'aweb-1'],
  ['{{- /* c */ -}} x', 'x'],
  ['a{{/* multi\nline */}}b', 'ab'],
  ['{{-3}}', '-3'],
  ['{{ .Name }}', 'web-1'],
  ['{{\n.Name\n}}', 'web-1'],
  // literals
  ['{{"a\\tb\\u00e9\\x41\\101"}}', 'a\tbéAA'],
  ['{{`raw\\n`}}', 'raw\\n'],
  ["{{'a'}} {{'\\n'}} {{'\\u00e9'}}", '97 10 233'],
  ['{{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}} {{-7}} {{+7}}', '31 15 15 5 1000 -7 7'],
  ['{{1.5}} {{1e3}} {{.5}} {{1.0}} {{2.50}}', '1.5 1000 0.5 1 2.5'],
  ['{{true}} {{false}}', 'true false'],
  ['{{print nil}}', '<nil>'],
  // fields, variables and their scopes
  ['{{.Map.c.d}}', 'e'],
  [
    '{{$}}',
    'map[Args:[-g daemon off;] Big:1234567890123 Empty: Html:<a href="x">&</a> Image:nginx:1.25-alpine List:[3 ' +
      '1 2] Map:map[a:1 b:2 c:map[d:e]] Mounts:[map[Destination:/data RW:true Source:/srv/<data> Type:bind]] Name:web-1 ' +
      'Neg:-42 NetworkSettings:map[Networks:map[bridge:map[IPAddress:172.17.0.2] host:map[IPAddress:]]] Nil:<nil> ' +
      "No:false Nums:[] Ratio:0.125 Size:96082 Words:hello wide world_x it's ok-go Yes:true Zero:0]",
  ],
  ['{{$.Name}}', 'web-1'],
  ['{{$x := .Name}}{{$x}}', 'web-1'],
  ['{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}', '2'],
  ['{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}', '21'],
  ['{{with $x := .Name}}{{$x}}{{end}}', 'web-1'],
  ['{{(index .Mounts 0).Source}}', '/srv/<data>'],
  ['{{with .Map}}{{.a}}{{$.Name}}{{end}}', '1web-1'],
  ['{{with .Nil}}yes{{else}}no{{end}}', 'no'],
  // if and with
  ['{{if .Zero}}t{{else}}f{{end}}', 'f'],
  ['{{if .Empty}}t{{else}}f{{end}}', 'f'],
  ['{{if .Nums}}t{{else}}f{{end}}', 'f'],
  ['{{if .List}}t{{else}}f{{end}}', 't'],
  ['{{if .Map}}t{{else}}f{{end}}', 't'],
  ['{{if .Nil}}t{{else}}f{{end}}', 'f'],
  ['{{if .Ratio}}t{{else}}f{{end}}', 't'],
  ['{{if .No}}t{{else if .Yes}}y{{else}}f{{end}}', 'y'],
  // range
  ['{{range .List}}[{{.}}]{{end}}', '[3][1][2]'],
  ['{{range $i, $v := .List}}{{$i}}:{{$v}} {{end}}', '0:3 1:1 2:2 '],
  ['{{range $v := .List}}{{$v}}{{end}}', '312'],
  ['{{range .Nums}}x{{else}}empty{{end}}', 'empty'],
  ['{{range $k, $v := .Map}}{{$k}}={{$v}};{{end}}', 'a=1;b=2;c=map[d:e];'],
  ['{{range .NetworkSettings.Networks}}{{println .IPAddress}}{{end}}', '172.17.0.2\n\n'],
  ['{{range .List}}{{if eq . 1}}{{break}}{{end}}{{.}}{{end}}', '3'],
  ['{{range .List}}{{if eq . 1}}{{continue}}{{end}}{{.}}{{end}}', '32'],
  ['{{range .Nil}}x{{else}}nil{{end}}', 'nil'],
  ['{{range $i, $c := .Args}}{{$i}}{{$c}}{{end}}{{$i := 5}}{{$i}}', '0-g1daemon off;5'],
  // and, or, not
  ['{{and 1 0 2}}', '0'],
  ['{{and 1 2}}', '2'],
  ['{{or 0 "" .Name}}', 'web-1'],
  ['{{or 0 ""}}', ''],
  ['{{not .Zero}} {{not .Name}}', 'true false'],
  ['{{and .Yes (not .No)}}', 'true'],
  ['{{.Zero | and 1}}', '0'],
  // comparisons
  ['{{eq .Name "web-1"}}', 'true'],
  ['{{eq .Size 1 2 96082}}', 'true'],
  ['{{ne .Size 0}}', 'true'],
  ['{{lt "a" "b"}} {{le 2 2}} {{gt 3 2}} {{ge 1 2}}', 'true true true false'],
  ['{{eq .Nil .Nil}}', 'true'],
  ['{{eq .Nil 1}}', 'false'],
  ['{{eq .Yes true}}', 'true'],
  ['{{lt .Ratio 0.5}}', 'true'],
  // len, index, slice
  ['{{len .Name}} {{len .List}} {{len .Map}} {{len "héllo"}}', '5 3 3 6'],
  ['{{index .List 1}}', '1'],
  ['{{index .Map "a"}}', '1'],
  ['{{index .Map "c" "d"}}', 'e'],
  ['{{index .Name 0}}', '119'],
  ['{{slice .Name 1 3}} {{slice .List 1}} {{slice .Name}}', 'eb [1 2] web-1'],
  ['{{slice .List 0 1 2}}', '[3]'],
  // print, println and how values print
  ['{{print 1 2 "a" 3 "b" "c" 4.5 true nil}}', '1 2a3bc4.5 true <nil>'],
  ['{{println 1 "a" nil}}', '1 a <nil>\n'],
  ['{{print .List .Map}}', '[3 1 2] map[a:1 b:2 c:map[d:e]]'],
  ['{{print .Args}}', '[-g daemon off;]'],
  ['{{.List}} {{.Map}} {{.Args}} {{.Nums}}', '[3 1 2] map[a:1 b:2 c:map[d:e]] [-g daemon off;] []'],
  // define, template, block
  ['{{define "t"}}[{{.}}]{{end}}{{template "t" .Name}}{{template "t" .Size}}', '[web-1][96082]'],
  ['{{block "b" .Name}}<{{.}}>{{end}}', '<web-1>'],
  ['{{define "t"}}{{$}}{{end}}{{template "t" 5}}', '5'],
  ['{{.Name}}{{define "x"}}{{end}}', 'web-1'],
  // pipelines
  ['{{.Name | upper | printf "%s!"}}', 'WEB-1!'],
  ['{{.Size | printf "%d-%d" 1}}', '1-96082'],
  ['{{"a" | upper}}', 'A'],
]

/** [template, the execution error], Go's wording, at the command Go names. */
const EXECUTION_ERRORS: Array<[string, string]> = [
  ['{{eq 1 "1"}}', 'line 1, column 2, at <eq 1 "1">: error calling eq: incompatible types for comparison'],
  ['{{lt true false}}', 'line 1, column 2, at <lt true false>: error calling lt: invalid type for comparison'],
  [
    '{{eq .List .List}}',
    'line 1, column 2, at <eq .List .List>: error calling eq: non-comparable type [%!s(int=3) %!s(int=1) %!s(int=2)]: []interface {}',
  ],
  ['{{lt .Nil 1}}', 'line 1, column 2, at <lt .Nil 1>: error calling lt: invalid type for comparison'],
  ['{{eq 1}}', 'line 1, column 2, at <eq 1>: error calling eq: missing argument for comparison'],
  ['{{len .Size}}', 'line 1, column 2, at <len .Size>: error calling len: len of type int'],
  ['{{len .Nil}}', 'line 1, column 2, at <len .Nil>: error calling len: len of nil pointer'],
  ['{{index .List 5}}', 'line 1, column 2, at <index .List 5>: error calling index: index out of range: 5'],
  ['{{index .List -1}}', 'line 1, column 2, at <index .List -1>: error calling index: index out of range: -1'],
  ['{{index .Size 0}}', "line 1, column 2, at <index .Size 0>: error calling index: can't index item of type int"],
  ['{{index .Nil 0}}', 'line 1, column 2, at <index .Nil 0>: error calling index: index of untyped nil'],
  [
    '{{index .List "a"}}',
    'line 1, column 2, at <index .List "a">: error calling index: cannot index slice/array with type string',
  ],
  ['{{slice .Name 3 1}}', 'line 1, column 2, at <slice .Name 3 1>: error calling slice: invalid slice index: 3 > 1'],
  [
    '{{slice .Name 1 2 3}}',
    'line 1, column 2, at <slice .Name 1 2 3>: error calling slice: cannot 3-index slice a string',
  ],
  ['{{upper .Size}}', 'line 1, column 8, at <.Size>: wrong type for value; expected string; got int'],
  ['{{upper 5}}', 'line 1, column 8, at <5>: expected string; found 5'],
  ['{{truncate .Name "3"}}', 'line 1, column 17, at <"3">: expected integer; found "3"'],
  ['{{join .List ","}}', 'line 1, column 7, at <.List>: wrong type for value; expected []string; got []interface {}'],
  ['{{join .Args}}', 'line 1, column 2, at <join>: wrong number of args for join: want 2 got 1'],
  ['{{upper}}', 'line 1, column 2, at <upper>: wrong number of args for upper: want 1 got 0'],
  ['{{upper .Name .Name}}', 'line 1, column 2, at <upper>: wrong number of args for upper: want 1 got 2'],
  ['{{upper nil}}', 'line 1, column 8, at <nil>: cannot assign nil to string'],
  ['{{template "nope"}}', 'line 1, column 2, at <template "nope">: template "nope" not defined'],
  ['{{.Name.X}}', "line 1, column 2, at <.Name.X>: can't evaluate field X in type string"],
  ['{{.Nil.X}}', 'line 1, column 2, at <.Nil.X>: nil pointer evaluating interface {}.X'],
  ['{{.Name 1}}', 'line 1, column 2, at <.Name>: Name is not a method but has arguments'],
  ['{{1 2}}', "line 1, column 2, at <1>: can't give argument to non-function 1"],
  ['{{nil}}', 'line 1, column 2, at <nil>: nil is not a command'],
  ['{{. 1}}', "line 1, column 2, at <.>: can't give argument to non-function ."],
  ['{{$x := 1}}{{$x 2}}', "line 1, column 13, at <$x>: can't give argument to non-function $x"],
  ['{{range .Name}}x{{end}}', "line 1, column 8, at <.Name>: range can't iterate over web-1"],
]

describe("template execution: Go's text/template semantics", () => {
  it('prints what Go prints, case by case', () => {
    for (const [template, expected] of GO_OUTPUTS) assert.equal(runTemplate(template, DATA), expected, template)
  })

  it('fails where Go fails, with the line, column and command Go names', () => {
    for (const [template, message] of EXECUTION_ERRORS)
      assert.throws(() => runTemplate(template, DATA), {name: 'TemplateError', message}, template)
  })

  it('an unknown field names itself and the fields there are', () => {
    assert.throws(() => runTemplate('{{.Nope}}', {a: 1, bB: 2}), {message: 'no field Nope (fields: a, bB)'})
    assert.throws(() => runTemplate('{{.Map.zz}}', DATA), {message: 'no field zz (fields: b, a, c)'})
    assert.equal(runTemplate('{{if false}}{{.Nope}}{{end}}', DATA), '') // as in Go, only what runs is looked up
  })

  it('field names match the JSON names ignoring case, an exact match first', () => {
    assert.equal(runTemplate('{{.createdBy}} {{.CREATEDBY}} {{.CreatedBy}}', {createdBy: 'RUN x'}), 'RUN x RUN x RUN x')
    assert.equal(runTemplate('{{.a}} {{.A}} {{index . "A"}}', {a: 1, A: 2}), '1 2 2')
  })

  it('where the JSON rows differ from Go values: nil prints nothing, integral numbers are ints', () => {
    // Go prints <no value> for these; docker's own listings show an empty column
    assert.equal(runTemplate('{{or .Nil .Nil}}|{{index .Map "zz"}}|{{.Nil}}', DATA), '||')
    // JSON has no int/float distinction: 1e6 is the int 1000000 (Go: the float 1e+06), and float verbs take ints
    assert.equal(runTemplate('{{1e6}} {{printf "%.1f|%d" 3 3}}', DATA), '1000000 3.0|3')
    assert.equal(runTemplate('{{lt .Size 96082.5}} {{eq 2 2.0}}', DATA), 'true true') // Go: incompatible types
    // a JSON array of strings is a []string to join (Go's decoder would make it []interface {})
    assert.equal(runTemplate('{{join .Args " , "}}', DATA), '-g , daemon off;')
    // objects keep the report's field order in json (a Go struct's order), where a Go map sorts its keys
    assert.equal(runTemplate('{{json .Map}}', DATA), '{"b":2,"a":1,"c":{"d":"e"}}')
  })

  it('newer Go: range over an integer (1.22) and {{else with}} (1.23)', () => {
    assert.equal(runTemplate('{{range 3}}{{.}}{{end}}|{{range $i := .Zero}}x{{else}}none{{end}}', DATA), '012|none')
    assert.throws(() => runTemplate('{{range $i, $v := 3}}{{end}}', DATA), {
      message: "line 1, column 8, at <$i, $v := 3>: can't use 3 to iterate over more than one variable",
    })
    assert.equal(runTemplate('{{with .Empty}}e{{else with .Name}}{{.}}{{else}}none{{end}}', DATA), 'web-1')
    assert.equal(runTemplate('{{with .Empty}}e{{else with .Nil}}n{{else}}none{{end}}', DATA), 'none')
  })

  it('and/or stop at the first argument that decides, as Go 1.18+ does', () => {
    assert.equal(runTemplate('{{and .Zero (index .List 99)}}', DATA), '0')
    assert.equal(runTemplate('{{or .Name (index .List 99)}}', DATA), 'web-1')
    assert.throws(() => runTemplate('{{and .Name (index .List 99)}}', DATA), /index out of range: 99/)
  })

  it('variables: $ is the row, declarations last until the {{end}} of their block, = assigns', () => {
    assert.equal(runTemplate('{{range .List}}{{$.Name}}{{end}}', DATA), 'web-1web-1web-1')
    assert.equal(runTemplate('{{$n := 0}}{{range .List}}{{$n = .}}{{end}}{{$n}}', DATA), '2')
    assert.equal(runTemplate('{{define "t"}}{{$}}{{end}}{{$x := 1}}{{template "t" .Size}}', DATA), '96082')
  })

  it('template calls nest and recurse, up to a depth', () => {
    assert.equal(
      runTemplate('{{define "d"}}<{{template "e" .}}>{{end}}{{define "e"}}{{.}}{{end}}{{template "d" 7}}', DATA),
      '<7>',
    )
    const countdown = '{{define "c"}}{{len .}}{{if .}}{{template "c" (slice . 1)}}{{end}}{{end}}{{template "c" .List}}'
    assert.equal(runTemplate(countdown, DATA), '3210')
    assert.throws(() => runTemplate('{{define "r"}}{{template "r" .}}{{end}}{{template "r" 1}}', DATA), {
      message: 'line 1, column 16, at <template "r">: exceeded maximum template depth (1000)',
    })
  })
})
