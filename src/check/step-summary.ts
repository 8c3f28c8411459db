import {appendFileSync} from 'node:fs'

/** Appends a report (markdown) to the GitHub Actions job summary, when the job has one ($GITHUB_STEP_SUMMARY). */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}\n`)
}
