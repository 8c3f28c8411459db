// Loaded with `node --import` before the CLI: zstd-napi fails to load, as a native module whose build failed does.
import {register} from 'node:module'

register(
  'data:text/javascript,' +
    encodeURIComponent(`export async function resolve(specifier, context, next) {
      if (specifier === 'zstd-napi') throw new Error('zstd-napi did not build')
      return next(specifier, context)
    }`),
)
