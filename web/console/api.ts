// HTTP calls to the Frontdesk API. The session lives in an httpOnly cookie; every write carries
// the CSRF token the server handed out at sign-in (or in GET /api/me). A 401 from any call means
// the session is gone: the app goes back to the sign-in page.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let unauthorizedHandler: (() => void) | null = null;

export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

// For requests api() cannot make (a multipart file upload): the CSRF header a write needs.
export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { "X-CSRF-Token": csrfToken } : {};
}

export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export async function api<T = unknown>(
  method: Method,
  path: string,
  body?: unknown,
  // keepalive: the request outlives the page (a chat ending while the rep closes the tab)
  opts: { allow401?: boolean; signal?: AbortSignal; contentType?: string; keepalive?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  // `contentType` sends a string body as it is (a CSV import), not as JSON.
  const sendRaw = opts.contentType !== undefined && typeof body === "string";
  if (body !== undefined) headers["Content-Type"] = sendRaw ? opts.contentType! : "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : sendRaw ? (body as string) : JSON.stringify(body),
      signal: opts.signal,
      keepalive: opts.keepalive,
    });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(0, "network", "Can't reach the Frontdesk server. Check your connection and try again.");
  }
  let data: unknown = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (res.ok) return data as T;
  // Errors are {"error":{code,message,details}}; the 409 on accept is documented flat.
  const raw = (data ?? {}) as Record<string, unknown>;
  const err = (typeof raw.error === "object" && raw.error !== null ? raw.error : raw) as Record<string, unknown>;
  const code = typeof err.code === "string" ? err.code : `http_${res.status}`;
  const message = typeof err.message === "string" && err.message ? err.message : defaultMessage(res.status);
  if (res.status === 401 && !opts.allow401 && unauthorizedHandler) unauthorizedHandler();
  throw new ApiError(res.status, code, message, err.details);
}

function defaultMessage(status: number): string {
  if (status === 401) return "Your session has ended. Please sign in again.";
  if (status === 403) return "You don't have permission to do that.";
  if (status === 404) return "Not found.";
  if (status === 409) return "That changed in the meantime.";
  if (status === 429) return "Too many requests. Wait a moment and try again.";
  if (status >= 500) return "The server had a problem. Try again in a moment.";
  return `Request failed (${status}).`;
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
