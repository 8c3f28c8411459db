import {DOCKER_FUNCTIONS} from '../../src/template/docker-functions.js'
import {execute} from '../../src/template/evaluate.js'
import {GO_BUILTINS} from '../../src/template/functions.js'
import {parse} from '../../src/template/parse.js'

const FUNCTIONS = {...GO_BUILTINS, ...DOCKER_FUNCTIONS}

/** Parses and runs a template on `data` with Go's and docker's functions, as Go's Template.Execute would. */
export function runTemplate(template: string, data: unknown): string {
  const out: string[] = []
  execute(parse(template, new Set(Object.keys(FUNCTIONS))), data, FUNCTIONS, template, out)
  return out.join('')
}

/** The value most tests run on: docker-inspect-like data with every kind of value. */
export const DATA = {
  Name: 'web-1',
  Image: 'nginx:1.25-alpine',
  Args: ['-g', 'daemon off;'],
  Size: 96082,
  Ratio: 0.125,
  Zero: 0,
  Empty: '',
  Nil: null,
  Yes: true,
  No: false,
  List: [3, 1, 2],
  Nums: [],
  Html: '<a href="x">&</a>',
  Map: {b: 2, a: 1, c: {d: 'e'}},
  Words: "hello wide world_x it's ok-go",
  Neg: -42,
  Big: 1234567890123,
  NetworkSettings: {Networks: {bridge: {IPAddress: '172.17.0.2'}, host: {IPAddress: ''}}},
  Mounts: [{Type: 'bind', Source: '/srv/<data>', Destination: '/data', RW: true}],
}
