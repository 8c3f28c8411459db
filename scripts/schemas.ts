// Writes docs/schemas/*.json from the report types, so that each schema is the type its command's JSON has.
// The types' JSDoc carries the schema's words: descriptions, @title, @id, and constraints such as @minimum and
// @pattern (src/analysis/figures.ts: the integer kinds).
import {writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import * as prettier from 'prettier'
import {createGenerator} from 'ts-json-schema-generator'

/** Each schema file and the type it describes. */
export const SCHEMAS = {
  analyze: 'AnalyzeReport',
  files: 'FilesReport',
  waste: 'WasteReport',
  diff: 'DiffReport',
  container: 'ContainerReport',
  check: 'CheckReport',
  'check-config': 'CheckConfigReport',
  flatten: 'FlattenReport',
} as const

export type SchemaName = keyof typeof SCHEMAS

const root = new URL('../', import.meta.url)

/** The schemas, as JSON Schema 2020-12 (the generator writes draft-07's `definitions`; 2020-12 names them `$defs`). */
export function generateSchemas(): Record<SchemaName, object> {
  const generator = createGenerator({
    tsconfig: fileURLToPath(new URL('tsconfig.build.json', root)),
    topRef: false,
    sortProps: false,
    skipTypeCheck: true, // tsc checks the types
  })
  const schemas = {} as Record<SchemaName, object>
  for (const [name, type] of Object.entries(SCHEMAS) as Array<[SchemaName, string]>) {
    const {$schema: _draft, $id, title, description, definitions, ...rest} = generator.createSchema(type)
    const text = JSON.stringify({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id,
      title,
      description,
      ...rest,
      ...(definitions ? {$defs: definitions} : {}),
    }).replaceAll('"#/definitions/', '"#/$defs/')
    schemas[name] = JSON.parse(text)
  }
  return schemas
}

/** Writes docs/schemas/NAME.json, formatted as Prettier formats the tree. */
export async function writeSchemas(): Promise<void> {
  for (const [name, schema] of Object.entries(generateSchemas())) {
    const path = fileURLToPath(new URL(`docs/schemas/${name}.json`, root))
    const options = await prettier.resolveConfig(path)
    writeFileSync(path, await prettier.format(JSON.stringify(schema, null, 2), {...options, filepath: path}))
  }
}
