import assert from 'node:assert/strict'

import {cell, code} from '../../src/report/markdown.js'

describe('markdown escapes', () => {
  it('a cell shows its text as it is: inline marks and pipes escaped, on one line', () => {
    assert.equal(
      cell('rm -rf /var/lib/apt/lists/* **/id_rsa a|b <x> [l] ~~s~~ `c`\nnext'),
      String.raw`rm -rf /var/lib/apt/lists/\* \*\*/id\_rsa a\|b \<x\> \[l\] \~\~s\~\~ \`c\` next`,
    )
  })

  it('inline code is fenced with more backticks than it holds in a row, and its pipes escaped', () => {
    assert.deepEqual(
      [code('/app/server'), code('echo `date`'), code('`x` and ``y``'), code('a|b')],
      ['`/app/server`', '`` echo `date` ``', '``` `x` and ``y`` ```', '`a\\|b`'],
    )
  })
})
