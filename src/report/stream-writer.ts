/**
 * Buffered writes to stdout that wait for the pipe to drain, so that long listings stream out with
 * bounded memory instead of being built as one string.
 */
export class StreamWriter {
  private parts: string[] = []
  private size = 0

  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly highWater = 1 << 16,
  ) {}

  async write(text: string): Promise<void> {
    this.parts.push(text)
    this.size += text.length
    if (this.size >= this.highWater) await this.flush()
  }

  async flush(): Promise<void> {
    if (this.size === 0) return
    const text = this.parts.join('')
    this.parts = []
    this.size = 0
    await new Promise<void>((resolve, reject) => {
      this.out.write(text, (error) => (error ? reject(error) : resolve()))
    })
  }
}
