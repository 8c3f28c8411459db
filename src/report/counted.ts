const rules = new Intl.PluralRules('en')

/** A count and its noun, singular or plural as English has it: `1 layer`, `0 layers`, `2 files`. */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${rules.select(count) === 'one' ? noun : plural}`
}
