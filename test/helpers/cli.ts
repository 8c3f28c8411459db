import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the built CLI as a user would (`node bin/run.js …`), optionally feeding stdin. */
export function runCli(
  args: string[],
  options: {stdin?: Buffer; env?: NodeJS.ProcessEnv; command?: string[]; cwd?: string} = {},
): Promise<CliResult> {
  const [command, ...prefix] = options.command ?? [process.execPath, BIN]
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: options.cwd,
      // no COLUMNS from the shell that runs the tests: tables are as wide as they need unless a test sets it
      env: {...process.env, DEBUG: '', COLUMNS: '', ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    child.on('error', reject)
    child.on('close', (code) =>
      resolve({code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString()}),
    )
    child.stdin.on('error', () => {})
    child.stdin.end(options.stdin ?? Buffer.alloc(0))
  })
}

/** `analyze … --format json`, parsed; fails loudly when the command does not exit 0. */
export async function analyzeJson(args: string[], options: Parameters<typeof runCli>[1] = {}): Promise<any> {
  const result = await runCli(['analyze', ...args, '--format', 'json'], options)
  if (result.code !== 0) throw new Error(`analyze ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout)
}
