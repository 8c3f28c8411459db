import assert from 'node:assert/strict'

import {formatFloat, quote, sprint, sprintf, sprintln} from '../../src/template/fmt.js'
import {DATA, runTemplate} from '../helpers/template.js'

/** [template, what Go 1.19 prints on DATA]: Go's fmt verbs, flags, widths and in-line errors through printf. */
const GO_PRINTF: Array<[string, string]> = [
  [
    '{{printf "%d|%5d|%-5d|%05d|%+d|% d|%x|%X|%#x|%o|%#o|%O|%b|%c|%q|%U|%#U" .Size .Size .Size .Size .Size ' +
      '.Size 255 255 255 8 8 8 5 65 65 65 65}}',
    "96082|96082|96082|96082|+96082| 96082|ff|FF|0xff|10|010|0o10|101|A|'A'|U+0041|U+0041 'A'",
  ],
  ['{{printf "%d %x %o %b" -42 -42 -42 -42}}', '-42 -2a -52 -101010'],
  [
    '{{printf "%08.3f|%.2f|%f|%e|%E|%g|%G|%.3g|%10.4e|%-10.2f|%+.1f" 3.14159 2.675 1.0 123456.789 0.000123 ' +
      '100000.0 1e21 3.14159 1234.5678 1.5 2.25}}',
    '0003.142|2.67|1.000000|1.234568e+05|1.230000E-04|100000|1E+21|3.14|1.2346e+03|1.50      |+2.2',
  ],
  ['{{printf "%.0f %.0f %.0f %.1f %.1f" 0.5 1.5 2.5 0.25 0.35}}', '0 2 2 0.2 0.3'],
  [
    '{{printf "%s|%10s|%-10s|%.2s|%q|%x|% x|%#q|%+q|%v" .Name .Name .Name .Name .Html "hi" "hi" .Name "é" .Name}}',
    'web-1|     web-1|web-1     |we|"<a href=\\"x\\">&</a>"|6869|68 69|`web-1`|"\\u00e9"|web-1',
  ],
  ['{{printf "%t %v %s" .Yes .No .Yes}}', 'true false %!s(bool=true)'],
  ['{{printf "%d" .Name}}', '%!d(string=web-1)'],
  ['{{printf "%s" .Size}}', '%!s(int=96082)'],
  ['{{printf "%d" .Ratio}}', '%!d(float64=0.125)'],
  ['{{printf "%d %d" 1}}', '1 %!d(MISSING)'],
  ['{{printf "%d" 1 2}}', '1%!(EXTRA int=2)'],
  ['{{printf "%!" 1}}', '%!!(int=1)'],
  ['{{printf "%"}}', '%!(NOVERB)'],
  ['{{printf "%d%%" 50}}', '50%'],
  ['{{printf "%[2]d %[1]d" 1 2}}', '2 1'],
  ['{{printf "%*d|%-*d|%.*f" 5 1 4 2 2 3.14159}}', '    1|2   |3.14'],
  ['{{printf "%v|%d|%s" .List .List .Args}}', '[3 1 2]|[3 1 2]|[-g daemon off;]'],
  ['{{printf "%v" .Map}}', 'map[a:1 b:2 c:map[d:e]]'],
  [
    '{{printf "%T %T %T %T %T %T" 1 .Ratio .Name .Yes .List .Map}}',
    'int float64 string bool []interface {} map[string]interface {}',
  ],
  ['{{printf "%v %d" .Nil .Nil}}', '<nil> %!d(<nil>)'],
  ['{{printf "%#v %#v %#v" .Name .Size .List}}', '"web-1" 96082 []interface {}{3, 1, 2}'],
  ['{{printf "%6.2f%%" 12.3456}}', ' 12.35%'],
  ['{{printf "%x" "héllo"}}', '68c3a96c6c6f'],
  ['{{printf "%q" "tab\\there\\x01"}}', '"tab\\there\\x01"'],
  ['{{printf "%c|%q" 0x1F600 0x1F600}}', "😀|'😀'"],
  ['{{printf "%5t|%-7v|" true false}}', ' true|false  |'],
  ['{{printf "%.3d|%.0d|%8.3d" 7 0 -7}}', '007||    -007'],
  ['{{printf "%e %g" 0.0 0.0}}', '0.000000e+00 0'],
  ['{{printf "%g %g %g" 1e-4 1e-5 123456.0}}', '0.0001 1e-05 123456'],
  ['{{printf "%.2g %.10g %g" 123.0 0.1 1234567.0}}', '1.2e+02 0.1 1.234567e+06'],
  ['{{printf "%[3]d|%[0]d|%[x]d" 1 2}}', '%!d(BADINDEX)|%!d(BADINDEX)|%!d(BADINDEX)'],
  ['{{printf "%-08d|%08s|%-8s|" 42 "ab" "ab"}}', '42      |000000ab|ab      |'],
  ['{{printf "%#o|%#x|%#X|%#b" 0 -255 3054 5}}', '0|-0xff|0XBEE|0b101'],
  ['{{printf "%e|%.3e|%g|%G" 1e-7 -1234.5678 1e21 1e-10}}', '1.000000e-07|-1.235e+03|1e+21|1E-10'],
  ['{{printf "%10.3s|%-6q|%5c|%U" "abcdef" "a" 66 128512}}', '       abc|"a"   |    B|U+1F600'],
  ['{{printf "%*d" "x" 1}}', '%!(BADWIDTH)1'],
  ['{{printf "%.*d" -1 5}}', '%!(BADPREC)5'],
  ['{{printf "%d" true}}', '%!d(bool=true)'],
  ['{{printf "%s" nil}}', '%!s(<nil>)'],
  ['{{printf "%06.2f|%+06.1f|% .2f|%-8.3f|" -1.5 2.25 3.14159 2.0}}', '-01.50|+002.2| 3.14|2.000   |'],
  ['{{printf "%.1f %.2f %.3f %.0f %.0f" 0.05 1.005 2.0005 0.49999999999999994 3.5}}', '0.1 1.00 2.001 0 4'],
  ['{{printf "%g %g %g %g" 0.000012345 123456789.0 1e100 5e-324}}', '1.2345e-05 1.23456789e+08 1e+100 5e-324'],
  ['{{printf "%v %v" 1.7976931348623157e308 2.5e-8}}', '1.7976931348623157e+308 2.5e-08'],
  ['{{printf "%q" .List}}', "['\\x03' '\\x01' '\\x02']"],
  ['{{printf "%x %X" .List "Hi"}}', '[3 1 2] 4869'],
  ['{{printf "%5.1f|%-5.1f|" 9.96 9.94}}', ' 10.0|9.9  |'],
  ['{{printf "%t" 1}}', '%!t(int=1)'],
  ['{{printf "%.2s|%.0s|" "日本語" "x"}}', '日本||'],
  ['{{printf "%5s|" "日本"}}', '   日本|'],
]

describe("Go's fmt as templates use it", () => {
  it('printf prints what Go prints', () => {
    for (const [template, expected] of GO_PRINTF) assert.equal(runTemplate(template, DATA), expected, template)
  })

  it('print adds a space between operands when neither is a string; println always, and a newline', () => {
    assert.equal(sprint([1, 2, 'a', 3, 'b', 'c', 4.5, true, null]), '1 2a3bc4.5 true <nil>')
    assert.equal(sprintln([1, 'a', null, [1, 'x']]), '1 a <nil> [1 x]\n')
    assert.equal(sprintf('%v %s', [{b: [1, {c: null}], a: 'x'}, ['a', 'b']]), 'map[a:x b:[1 map[c:<nil>]]] [a b]')
  })

  it('floats: the exact binary value, rounded half to even; shortest %v switches to e at 1e21 and 1e-5', () => {
    assert.deepEqual(
      [0.5, 1.5, 2.5, 3.5, -0.5].map((v) => formatFloat(v, 'f', 0)),
      ['0', '2', '2', '4', '-0'],
    )
    assert.equal(formatFloat(0.1 + 0.2, 'g', -1), '0.30000000000000004')
    assert.equal(formatFloat(2.675, 'f', 2), '2.67') // 2.67499999999999982236431605997495353221893310546875
    assert.equal(formatFloat(1e21, 'g', -1), '1e+21')
    assert.equal(formatFloat(123456, 'g', -1), '123456')
    assert.equal(formatFloat(1234567.5, 'g', -1), '1.2345675e+06')
    assert.equal(formatFloat(0.00001, 'g', -1), '1e-05')
    assert.equal(formatFloat(0.0001, 'g', -1), '0.0001')
    assert.equal(formatFloat(99.99, 'g', 3), '100')
    assert.equal(formatFloat(5e-324, 'e', 2), '4.94e-324')
    assert.deepEqual(
      [NaN, Infinity, -Infinity].map((v) => sprintf('%f|%5.1f|%+v', [v, v, v])),
      ['NaN|  NaN|NaN', '+Inf| +Inf|+Inf', '-Inf| -Inf|-Inf'],
    )
  })

  it("quoting is Go's strconv.Quote: escapes for controls, \\u for other unprintables", () => {
    assert.equal(quote('a"b\\c\n\t\x07\x7f\u00a0é😀\u2028'), '"a\\"b\\\\c\\n\\t\\a\\x7f\\u00a0é😀\\u2028"')
    assert.equal(sprintf('%+q|%#q|%#q', ['é😀', 'a`b', 'plain']), '"\\u00e9\\U0001f600"|"a`b"|`plain`')
  })
})
