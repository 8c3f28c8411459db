/**
 * The columns a table may take: `COLUMNS` when set (a positive integer), else the terminal's width when stdout is a
 * terminal (80 when it does not say). Output to a pipe or a file is not fitted: undefined.
 */
export function terminalWidth(env: NodeJS.ProcessEnv, stdout: {isTTY?: boolean; columns?: number}): number | undefined {
  const columns = Number(env.COLUMNS)
  if (Number.isInteger(columns) && columns > 0) return columns
  return stdout.isTTY ? stdout.columns || 80 : undefined
}
