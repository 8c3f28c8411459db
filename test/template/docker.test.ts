import assert from 'node:assert/strict'

import {renderTemplate} from '../../src/report/template.js'
import {tabwrite} from '../../src/template/tabwriter.js'
import {DATA, runTemplate} from '../helpers/template.js'

/** Two containers as `docker inspect` shows them (the fields docker's formatting page uses). */
const CONTAINERS = [
  {...DATA},
  {...DATA, Name: 'db', Image: 'postgres:16', Args: ['postgres'], Size: 0, NetworkSettings: {Networks: {}}, Mounts: []},
]

/** Images as `docker image list` lists them. */
const IMAGES = [
  {ID: 'sha256:4f2d', Repository: 'nginx', Tag: '1.25-alpine', Size: '43.2MB'},
  {ID: 'sha256:9a1b', Repository: 'postgres', Tag: '16', Size: '432MB'},
]

describe("docker's --format: its functions, its table directive, its formatter", () => {
  it("docker's documented examples (docs.docker.com, Format command and log output)", () => {
    assert.equal(renderTemplate('{{join .Args " , "}}', CONTAINERS), '-g , daemon off;\npostgres\n')
    assert.equal(
      renderTemplate('table {{.ID}}\\t{{.Repository}}\\t{{.Tag}}\\t{{.Size}}', IMAGES),
      'ID            REPOSITORY   TAG           SIZE\n' +
        'sha256:4f2d   nginx        1.25-alpine   43.2MB\n' +
        'sha256:9a1b   postgres     16            432MB\n',
    )
    assert.equal(
      renderTemplate('{{json .Mounts}}', CONTAINERS),
      '[{"Type":"bind","Source":"/srv/<data>","Destination":"/data","RW":true}]\n[]\n',
    )
    assert.equal(renderTemplate('{{lower .Name}}', [{Name: 'Web-1'}]), 'web-1\n')
    assert.equal(renderTemplate('{{split .Image ":"}}', CONTAINERS), '[nginx 1.25-alpine]\n[postgres 16]\n')
    assert.equal(renderTemplate('{{title .Name}}', CONTAINERS), 'Web-1\nDb\n')
    assert.equal(renderTemplate('{{upper .Name}}', CONTAINERS), 'WEB-1\nDB\n')
    assert.equal(
      renderTemplate('{{range .NetworkSettings.Networks}}{{println .IPAddress}}{{end}}', CONTAINERS),
      '172.17.0.2\n\n\n\n',
    )
    assert.equal(renderTemplate('{{json .}}', [IMAGES[1]]), `${JSON.stringify(IMAGES[1])}\n`)
  })

  it("json is Go's encoding/json without HTML escaping: <, > and & stay, U+2028 does not", () => {
    assert.equal(
      runTemplate('{{json .Html}} {{json .Map}} {{json .Nil}} {{json .Ratio}}', DATA),
      '"<a href=\\"x\\">&</a>" {"b":2,"a":1,"c":{"d":"e"}} null 0.125',
    )
    assert.equal(runTemplate('{{json "a\\u2028b\\tc\\x01"}}', DATA), '"a\\u2028b\\tc\\u0001"')
  })

  it("split, join, title, lower, upper, pad and truncate behave as docker's Go functions", () => {
    const outputs: Array<[string, string]> = [
      ['{{title .Words}}', "Hello Wide World_x It'S Ok-Go"],
      ['{{upper .Words}} {{upper "ß"}} {{lower "ÀB"}}', "HELLO WIDE WORLD_X IT'S OK-GO ß àb"],
      ['{{split "abc" ""}} {{split "" ","}} {{len (split "a,b,,c" ",")}}', '[a b c] [] 4'],
      ['{{join (split .Image ":") "@"}}', 'nginx@1.25-alpine'],
      ['{{pad .Name 1 2}}|{{pad .Empty 1 2}}|', ' web-1  ||'],
      ['{{truncate .Name 3}} {{truncate .Name 50}} {{truncate .Name 5}} {{truncate "héllo" 3}}', 'web web-1 web-1 hé'],
    ]
    for (const [template, expected] of outputs) assert.equal(runTemplate(template, DATA), expected, template)
    const errors: Array<[string, string]> = [
      [
        '{{pad .Name -1 0}}',
        'line 1, column 2, at <pad .Name -1 0>: error calling pad: strings: negative Repeat count',
      ],
      [
        '{{truncate .Name -1}}',
        'line 1, column 2, at <truncate .Name -1>: error calling truncate: runtime error: slice bounds out of range [:-1]',
      ],
      [
        '{{join .List ","}}',
        'line 1, column 7, at <.List>: wrong type for value; expected []string; got []interface {}',
      ],
    ]
    for (const [template, message] of errors) assert.throws(() => runTemplate(template, DATA), {message}, template)
  })

  it('each row is followed by a newline; a typed \\t or \\n is a tab or a newline; spaces around are trimmed', () => {
    assert.equal(renderTemplate('  {{.Name}}\\t{{.Size}}\\n--  ', CONTAINERS), 'web-1\t96082\n--\ndb\t0\n--\n')
    assert.equal(renderTemplate('{{.Name}}', []), '')
    // as in docker, the \n turns into a newline inside the quoted string too, which Go refuses
    assert.throws(() => renderTemplate('{{printf "%s\\n" .Name}}', CONTAINERS), {
      name: 'InputError',
      message: '--format: line 1: unterminated quoted string',
    })
  })

  it('table: the header is the template run on the column names, with json, split, join, title, lower, upper and truncate left out', () => {
    assert.equal(
      renderTemplate(
        'table {{upper .Name}}\\t{{json .Args}}\\t{{truncate .Image 5}}\\t{{join (split .Image ":") " "}}|',
        CONTAINERS,
      ),
      'NAME    ARGS                   IMAGE   IMAGE|\n' +
        'WEB-1   ["-g","daemon off;"]   nginx   nginx 1.25-alpine|\n' +
        'DB      ["postgres"]           postg   postgres 16|\n',
    )
    // pad and printf do run on the header, as in docker
    assert.equal(
      renderTemplate('table {{pad .Name 1 1}}\\t{{printf "%d" .Size}}', CONTAINERS),
      ' NAME     %!d(string=SIZE)\n web-1    96082\n db       0\n',
    )
    // the row itself heads its column VALUE
    assert.equal(renderTemplate('table {{json .}}', [{a: 1}]), 'VALUE\n{"a":1}\n')
    // camelCase JSON names become words; an empty list still gets its header
    assert.equal(renderTemplate('table {{.Index}}\\t{{.wastedBytes}}', []), 'INDEX   WASTED BYTES\n')
  })

  it('table: an error in the header ends the header there, as docker ignores it', () => {
    assert.equal(
      renderTemplate('table {{.Name}}\\t{{if gt .Size 0}}big{{end}}', CONTAINERS),
      'NAME    \nweb-1   big\ndb      \n',
    )
  })

  it("the tabwriter aligns tab-ended cells of consecutive lines into columns, as Go's does", () => {
    // Go's text/tabwriter (minwidth 0, tabwidth 1, padding 3, spaces) prints exactly these
    const layouts: Array<[string, string]> = [
      [
        'aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n',
        'aaaa   bbb   d\naa     b     dd\na      \naa     cccc   eee\n',
      ],
      [
        'a\tb\tc\naa\tbb\tcc\naaa\t\naaaa\tdddd\teeee\n',
        'a      b    c\naa     bb   cc\naaa    \naaaa   dddd   eeee\n',
      ],
      ['H1\tH2\nx\ty\nno tabs here\nlong cell\tz\n', 'H1   H2\nx    y\nno tabs here\nlong cell   z\n'],
      ['\tindented\nx\t\n', '    indented\nx   \n'],
      ['名前\tx\nab\ty\n', '名前   x\nab     y\n'], // a CJK character is two columns wide, as docker counts it
    ]
    for (const [input, output] of layouts) assert.equal(tabwrite(input, {minWidth: 0, padding: 3}), output, input)
    assert.equal(tabwrite('a\tb\n', {minWidth: 10, padding: 3}), 'a         b\n')
  })

  it('a bad template is an InputError naming what is wrong', () => {
    const rows = [{index: 0, createdBy: 'x'}]
    const errors: Array<[string, string]> = [
      ['{{.Nope}}', '--format: no field Nope (fields: index, createdBy)'],
      [
        '{{nosuch .Index}}',
        '--format: line 1: function "nosuch" not defined (functions: and, call, eq, ge, gt, html, index, join, ' +
          'js, json, le, len, lower, lt, ne, not, or, pad, print, printf, println, slice, split, title, truncate, upper, ' +
          'urlquery; fields: index, createdBy)',
      ],
      ['{{if .Index}}', '--format: line 1: unexpected EOF'],
      ['{{upper .Index}}', '--format: line 1, column 8, at <.Index>: wrong type for value; expected string; got int'],
    ]
    for (const [template, message] of errors)
      assert.throws(() => renderTemplate(template, rows), {name: 'InputError', message}, template)
    // parse errors are found before any row, even with none
    assert.throws(() => renderTemplate('{{if .Index}}', []), {message: '--format: line 1: unexpected EOF'})
    assert.throws(() => renderTemplate('{{nosuch}}', []), {
      message: /^--format: line 1: function "nosuch" not defined \(functions: and, .*, urlquery\)$/,
    })
  })
})
