import {InputError} from '../errors.js'

export interface Platform {
  os?: string
  architecture?: string
  variant?: string
}

const GO_ARCH: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
}

/** This host's platform, as Go and the OCI spec spell it. */
export function hostPlatform(): Platform {
  const architecture = GO_ARCH[process.arch] ?? process.arch
  return {
    os: process.platform === 'win32' ? 'windows' : 'linux',
    architecture,
    ...(architecture === 'arm64' ? {variant: 'v8'} : {}),
  }
}

export function formatPlatform(platform: Platform): string {
  return [platform.os ?? 'unknown', platform.architecture ?? 'unknown', platform.variant].filter(Boolean).join('/')
}

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, extra] = text.split('/')
  if (!os || !architecture || extra !== undefined)
    throw new InputError(`bad --platform ${JSON.stringify(text)}: expected os/arch[/variant]`)
  return {os, architecture, ...(variant ? {variant} : {})}
}

/** Whether `candidate` satisfies `wanted` (a missing variant matches any, arm64's v8 is its default). */
export function platformMatches(wanted: Platform, candidate: Platform): boolean {
  if (wanted.os !== candidate.os || wanted.architecture !== candidate.architecture) return false
  if (!wanted.variant) return true
  const variant = candidate.variant ?? (candidate.architecture === 'arm64' ? 'v8' : undefined)
  return variant === wanted.variant
}
