import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

/** A command shown in the documentation, as a reader would type it, with the output the page shows for it. */
export interface DocExample {
  /** README.md or docs/NAME.md, and the line of the command's first line. */
  where: string
  command: string
  /** What a ```console block (or a plain one with `$ ` prompts) shows after the command; undefined in ```sh. */
  output?: string
}

/** The command with a trailing `# comment` cut off: a `#` after a blank and outside quotes starts one. */
export function withoutComment(line: string): string {
  let quote: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quote) {
      if (c === quote) quote = undefined
      else if (c === '\\' && quote === '"') i++
    } else if (c === "'" || c === '"') {
      quote = c
    } else if (c === '\\') {
      i++
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i).trimEnd()
    }
  }
  return line.trimEnd()
}

/** Lines ending in `\` joined with the next, as the shell joins them; each with the number of its first line. */
function joined(lines: Array<{text: string; line: number}>): Array<{text: string; line: number}> {
  const out: Array<{text: string; line: number}> = []
  let open: {text: string; line: number} | undefined
  for (const {text, line} of lines) {
    const whole = open ? `${open.text} ${text.trimStart()}` : text
    const first = open?.line ?? line
    if (whole.endsWith('\\')) open = {text: whole.slice(0, -1).trimEnd(), line: first}
    else {
      open = undefined
      out.push({text: whole, line: first})
    }
  }
  return out
}

/**
 * The commands of one markdown page: every line of a ```sh (or ```shell, ```bash) block, comments cut, and every
 * `$ ` line of a ```console block or of a plain ``` block that has them, with the output shown below it.
 * Other blocks (yaml, diagrams) hold no commands.
 */
export function pageExamples(name: string, text: string): DocExample[] {
  const examples: DocExample[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)\s*$/.exec(lines[i])
    if (!fence) continue
    const start = i + 1
    let end = start
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++
    const body = lines.slice(start, end).map((text, k) => ({text, line: start + k + 1}))
    i = end
    const language = fence[1]
    if (['sh', 'shell', 'bash'].includes(language)) {
      for (const {text, line} of joined(body)) {
        const command = withoutComment(text)
        if (command) examples.push({where: `${name}:${line}`, command})
      }
    } else if (language === 'console' || (language === '' && body.some((l) => l.text.startsWith('$ ')))) {
      let k = 0
      while (k < body.length) {
        if (!body[k].text.startsWith('$ ')) throw new Error(`${name}:${body[k].line}: output before any $ command`)
        const commandLines = [{...body[k], text: body[k].text.slice(2)}]
        while (body[k].text.endsWith('\\') && k + 1 < body.length) commandLines.push(body[++k])
        const [{text, line}] = joined(commandLines)
        const output: string[] = []
        while (++k < body.length && !body[k].text.startsWith('$ ')) output.push(body[k].text)
        examples.push({where: `${name}:${line}`, command: withoutComment(text), output: output.join('\n') + '\n'})
      }
    }
  }
  return examples
}

/** Every example of README.md and docs/*.md under the checkout `root`, in page order. */
export function docExamples(root: string): DocExample[] {
  const pages = [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `docs/${f}`),
  ]
  return pages.flatMap((page) => pageExamples(page, readFileSync(join(root, page), 'utf8')))
}
