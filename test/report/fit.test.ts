import assert from 'node:assert/strict'

import {ellipsize} from '../../src/report/display-width.js'
import {plainTable} from '../../src/report/plain-table.js'
import {terminalWidth} from '../../src/report/terminal-width.js'

describe('tables that fit the terminal', () => {
  it('the width: COLUMNS, else the terminal (80 when it does not say), else none for a pipe', () => {
    assert.equal(terminalWidth({COLUMNS: '100'}, {isTTY: false}), 100)
    assert.equal(terminalWidth({COLUMNS: '100'}, {isTTY: true, columns: 132}), 100)
    assert.equal(terminalWidth({}, {isTTY: true, columns: 132}), 132)
    assert.equal(terminalWidth({COLUMNS: 'wide'}, {isTTY: true}), 80)
    assert.equal(terminalWidth({COLUMNS: '0'}, {isTTY: false}), undefined)
    assert.equal(terminalWidth({}, {}), undefined)
  })

  it('a cut cell ends in an ellipsis, counted in columns (a wide character takes two)', () => {
    assert.equal(ellipsize('/app/server', 11), '/app/server')
    assert.equal(ellipsize('/app/server', 10), '/app/serv…')
    assert.equal(ellipsize('/名前/x', 5), '/名…')
    assert.equal(ellipsize('/名前/x', 4), '/名…')
    assert.equal(ellipsize('/名前/x', 3), '/…')
  })

  it('the free-text columns are cut, the widest first, down to their heading or 10 columns', () => {
    const head = ['N', 'COMMAND', 'PATH']
    const rows = [[1, 'x'.repeat(30), 'p'.repeat(20)]]
    // 1 + 30 + 20 and two gutters of 3: 57 wide
    assert.equal(plainTable(head, rows).split('\n')[1].length, 57)
    // 50: the command loses 7
    assert.equal(
      plainTable(head, rows, [], {width: 50, columns: [1, 2]}),
      `N   COMMAND                   PATH\n1   ${'x'.repeat(22)}…   ${'p'.repeat(20)}`,
    )
    // 30: the command down to 10, then the path loses the rest
    assert.equal(
      plainTable(head, rows, [], {width: 30, columns: [1, 2]}),
      `N   COMMAND      PATH\n1   ${'x'.repeat(9)}…   ${'p'.repeat(12)}…`,
    )
    // 20: as narrow as it gets, both at 10
    assert.equal(
      plainTable(head, rows, [], {width: 20, columns: [1, 2]}),
      `N   COMMAND      PATH\n1   ${'x'.repeat(9)}…   ${'p'.repeat(9)}…`,
    )
  })
})
