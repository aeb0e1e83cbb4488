// proxy-from-env 2 ships no types; this is the one function rxws uses.
declare module 'proxy-from-env' {
  /** The proxy URL the environment names for `url` ('' for none), honouring NO_PROXY. */
  export function getProxyForUrl(url: string | URL): string;
}
