import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'

import Ajv2020 from 'ajv/dist/2020.js'

const ajv = new Ajv2020.default({allErrors: true})

/** Asserts that a report validates against docs/schemas/NAME.json. */
export function assertSchema(
  name: 'analyze' | 'files' | 'waste' | 'diff' | 'container' | 'check' | 'check-config' | 'flatten',
  report: unknown,
): void {
  const schema = JSON.parse(readFileSync(new URL(`../../docs/schemas/${name}.json`, import.meta.url), 'utf8'))
  const validate = ajv.getSchema(schema.$id) ?? ajv.compile(schema)
  assert.equal(validate(report), true, `${name}: ${JSON.stringify(validate.errors)}`)
}
