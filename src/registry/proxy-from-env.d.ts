// proxy-from-env ships no types: the one function this project calls.
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY (any case), or ''. */
  export function getProxyForUrl(url: string | URL): string
}
