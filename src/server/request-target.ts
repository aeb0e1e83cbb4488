// The request target (RFC 9112 §3.2) a handler sees: always origin-form, path and query.
import type { UpgradeRefusal } from './requests';

/** Scheme and authority of an absolute-form target; what follows is the path and query. */
const ABSOLUTE = /^(?:https?|wss?):\/\/[^/?#\s]+/i;

/**
 * The path and query a request names, or the refusal for a target that names none. The
 * absolute form (`GET http://host/path`, which RFC 9112 §3.2.2 says a server must accept) is
 * reduced to its path and query, exactly as sent, so `request.url` never carries another
 * origin; `*` and anything else that is not a path get 400.
 */
export function requestTarget(target: string | undefined): string | UpgradeRefusal {
  if (target?.startsWith('/') === true) return target;
  const origin = target === undefined ? null : ABSOLUTE.exec(target);
  if (target === undefined || origin === null) {
    return { status: 400, reason: `Bad Request: the request target must be a path such as /index.html, got ${JSON.stringify((target ?? '').slice(0, 100))}` };
  }
  const rest = target.slice(origin[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}
