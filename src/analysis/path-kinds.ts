// What a path is, judged by its name alone: a temporary artifact, a package manager's cache, a secret, an archive.
// `container` marks leftovers with it and the advice rules name what to change; docs/metrics.md lists the patterns.
// Paths are absolute (`/var/cache/apt/…`).

const TEMPORARY: Array<[RegExp, string]> = [
  [/^\/(tmp|var\/tmp)(\/|$)/, 'temporary directory'],
  [/^\/var\/cache\/(apt|apk|yum|dnf)(\/|$)/, 'package-manager cache'],
  [/^\/var\/lib\/apt\/lists(\/|$)/, 'package-manager cache'],
  [/\/\.(cache|npm|yarn|pnpm-store|cargo\/registry|m2\/repository|gradle\/caches)(\/|$)/, 'tool cache'],
  [/\/(root|home\/[^/]+)\/\.(cache|npm|pip)(\/|$)/, 'tool cache'],
  [/\/__pycache__(\/|$)|\.pyc$/, 'Python bytecode'],
  [/\/node_modules\/\.cache(\/|$)/, 'tool cache'],
  [/\/(build|_build|target|\.gradle|CMakeFiles)(\/|$)/, 'build directory'],
]

/** Why the path looks like a temporary artifact (a cache, /tmp, bytecode, a build directory), or null. */
export function temporaryReason(path: string): string | null {
  for (const [pattern, reason] of TEMPORARY) if (pattern.test(path)) return reason
  return null
}

/** A package manager whose downloads and indexes stay in the layer unless the same RUN removes them. */
export interface PackageCache {
  manager: string
  /** How to install without leaving them behind. */
  fix: string
  /** The hadolint rule, where one exists. */
  ref: string | null
}

const HOME = String.raw`(?:root|home/[^/]+)`
const PACKAGE_CACHES: Array<[RegExp, PackageCache]> = [
  [
    /^\/var\/(lib\/apt\/lists|cache\/apt)\//,
    {
      manager: 'apt',
      fix:
        'in the same RUN: apt-get update && apt-get install -y --no-install-recommends … && rm -rf ' +
        '/var/lib/apt/lists/* (or RUN --mount=type=cache,target=/var/cache/apt)',
      ref: 'DL3009',
    },
  ],
  [/^\/var\/cache\/apk\//, {manager: 'apk', fix: 'apk add --no-cache …', ref: 'DL3019'}],
  [
    new RegExp(String.raw`^/${HOME}/\.cache/pip/`),
    {
      manager: 'pip',
      fix: 'pip install --no-cache-dir … (or RUN --mount=type=cache,target=/root/.cache/pip)',
      ref: 'DL3042',
    },
  ],
  [
    new RegExp(String.raw`^/(usr/local/share/\.cache/yarn|${HOME}/\.cache/yarn|${HOME}/\.yarn-cache)/`),
    {manager: 'yarn', fix: 'in the same RUN: yarn install … && yarn cache clean', ref: 'DL3060'},
  ],
  [
    new RegExp(String.raw`^/${HOME}/\.npm/`),
    {
      manager: 'npm',
      fix: 'in the same RUN: npm ci … && npm cache clean --force (or a cache mount on /root/.npm)',
      ref: null,
    },
  ],
  [/^\/var\/cache\/dnf\//, {manager: 'dnf', fix: 'in the same RUN: dnf install -y … && dnf clean all', ref: 'DL3040'}],
  [/^\/var\/cache\/yum\//, {manager: 'yum', fix: 'in the same RUN: yum install -y … && yum clean all', ref: 'DL3032'}],
  [
    /^\/var\/cache\/zypp\//,
    {manager: 'zypper', fix: 'in the same RUN: zypper install -y … && zypper clean', ref: 'DL3036'},
  ],
]

/** The package manager whose cache or index the path belongs to, or undefined. */
export function packageCache(path: string): PackageCache | undefined {
  return PACKAGE_CACHES.find(([pattern]) => pattern.test(path))?.[1]
}

const SECRET_NAMES =
  /^(id_(rsa|dsa|ecdsa|ed25519)|\.env(\..+)?|\.npmrc|\.pypirc|\.netrc|\.git-credentials|credentials|.+\.(pem|key|p12|pfx)|.*token.*)$/i
const SECRET_PATHS = /\/\.(aws\/credentials|docker\/config\.json|kube\/config)$/

/** Whether the path looks like a secret: private keys, `.env` files, credentials and tokens. */
export function isSecret(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1)
  if (/\.pub$/.test(name)) return false
  return SECRET_NAMES.test(name) || SECRET_PATHS.test(path)
}

/** Whether the path is an archive (tar, compressed tar, zip). */
export function isArchive(path: string): boolean {
  return /\.(tar|tar\.(gz|bz2|xz|zst)|tgz|tbz2|txz|zip)$/i.test(path)
}
