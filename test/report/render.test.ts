import assert from 'node:assert/strict'

import {InputError} from '../../src/errors.js'
import {render, type View} from '../../src/report/render.js'

const items = [
  {name: 'a', bytes: 1},
  {name: 'b,"c"', bytes: 22},
]
const view: View = {
  report: {schemaVersion: 1, items},
  table: () => 'TABLE\n',
  rows: {items, fields: ['name', 'bytes']},
  formats: {junit: () => '<testsuites/>\n'},
}

describe('render: every report in every format, in one place', () => {
  it('json is the report itself, two-space indented, with a trailing newline', () => {
    assert.equal(
      render('json', view),
      '{\n  "schemaVersion": 1,\n  "items": [\n    {\n      "name": "a",\n      "bytes": 1\n    },\n' +
        '    {\n      "name": "b,\\"c\\"",\n      "bytes": 22\n    }\n  ]\n}\n',
    )
  })

  it("table is the view's own renderer", () => {
    assert.equal(render('table', view), 'TABLE\n')
  })

  it('csv lists the rows under a header of the fields, in their order, quoted as RFC 4180 says', () => {
    assert.equal(render('csv', view), '"name","bytes"\n"a",1\n"b,""c""",22\n')
  })

  it("Go templates run over the rows: fields by their JSON names in any case, {{json .}}, and aligned 'table'", () => {
    assert.equal(render('{{.Name}}={{.BYTES}}', view), 'a=1\nb,"c"=22\n')
    assert.equal(render('{{json .}}', view), '{"name":"a","bytes":1}\n{"name":"b,\\"c\\"","bytes":22}\n')
    assert.equal(render('table {{.Name}}\\t{{.Bytes}}', view), 'NAME    BYTES\na       1\nb,"c"   22\n')
  })

  it("a format of the view's own wins (check's junit and markdown)", () => {
    assert.equal(render('junit', view), '<testsuites/>\n')
  })

  it('a report without rows has no csv or template: an input error naming the format', () => {
    const plain: View = {report: {}, table: () => ''}
    for (const format of ['csv', '{{.Name}}', 'junit'])
      assert.throws(
        () => render(format, plain),
        (error: Error) =>
          error instanceof InputError && error.message === `--format ${format}: not a format of this report`,
      )
  })
})
