/**
 * A layer's command as dive shows it, on one line: without docker's `/bin/sh -c #(nop) ` (instructions that run
 * nothing) and `/bin/sh -c ` (RUN) prefixes.
 */
export function shortCommand(createdBy: string): string {
  return createdBy
    .replace(/\s+/g, ' ')
    .replace(/^\/bin\/sh -c (#\(nop\) +)?/, '')
    .trim()
}
