/** Small helpers shared by the route handlers: JSON errors, Message-ID params. */

export function jsonError(status: number, error: string, hint?: string): Response {
  return Response.json(hint ? { error, hint } : { error }, { status });
}

/** A Message-ID from a URL segment: without angle brackets, URL-encoded (decoded once more if a proxy left it encoded). */
export function messageIdParam(raw: string): string {
  let id = raw;
  // Still encoded only if its '@' is: an id that has one and holds "%0d" must be taken as it is.
  if (!id.includes('@') && /%[0-9A-Fa-f]{2}/.test(id)) {
    try {
      id = decodeURIComponent(id);
    } catch {
      /* keep as is */
    }
  }
  // Stored Message-IDs have NUL replaced (PostgreSQL text cannot hold it); look up the same way.
  return id.replace(/^<|>$/g, '').replace(/\u0000/g, '\uFFFD');
}

/** A filename safe for Content-Disposition: ASCII letters, digits, dot, dash, underscore. */
export function safeFilename(name: string, fallback = 'message'): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 100);
  return cleaned || fallback;
}

/** Run a handler and turn unexpected failures into a JSON 500 without a stack trace. */
export async function handle(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    console.error(err);
    return jsonError(500, 'internal error', 'The server could not answer this request; its log has the details.');
  }
}
