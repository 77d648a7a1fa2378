// A virtual user's cookies, as a browser keeps them (RFC 6265, the parts an API uses): Set-Cookie in, Cookie out.

interface Cookie {
  readonly name: string;
  readonly value: string;
  /** The host it was set by (host-only), or the Domain attribute's domain. */
  readonly domain: string;
  readonly hostOnly: boolean;
  readonly path: string;
  readonly secure: boolean;
  /** Milliseconds since the epoch after which it is gone; Infinity for a session cookie. */
  readonly expires: number;
}

/** The default path of a cookie set by a response to `path` (RFC 6265 §5.1.4). */
const defaultPath = (path: string): string => {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
};

const domainMatches = (host: string, c: Cookie): boolean =>
  c.domain === "" ||
  (c.hostOnly ? host === c.domain : host === c.domain || host.endsWith(`.${c.domain}`));

const pathMatches = (path: string, cookiePath: string): boolean =>
  path === cookiePath ||
  (path.startsWith(cookiePath) && (cookiePath.endsWith("/") || path[cookiePath.length] === "/"));

export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  get size(): number {
    return this.cookies.size;
  }

  /** Takes one Set-Cookie header's value, from a response to `url`, at time `now` (ms since the epoch). */
  take(header: string, url: URL, now: number): void {
    const [pair = "", ...attributes] = header.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const host = url.hostname;
    let domain = host, hostOnly = true, path = defaultPath(url.pathname), secure = false;
    let expires = Number.POSITIVE_INFINITY, maxAgeSeen = false;
    for (const a of attributes) {
      const i = a.indexOf("=");
      const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
      const v = i < 0 ? "" : a.slice(i + 1).trim();
      if (key === "domain" && v !== "") {
        const d = v.replace(/^\./, "").toLowerCase();
        // A domain the host is not in: the cookie is refused (§5.3 step 6).
        if (host !== d && !host.endsWith(`.${d}`)) return;
        domain = d;
        hostOnly = false;
      } else if (key === "path" && v.startsWith("/")) path = v;
      else if (key === "secure") secure = true;
      else if (key === "max-age" && /^-?\d+$/.test(v)) {
        maxAgeSeen = true;
        expires = Number(v) <= 0 ? 0 : now + Number(v) * 1000;
      } else if (key === "expires" && !maxAgeSeen) {
        const t = Date.parse(v);
        if (!Number.isNaN(t)) expires = t;
      }
    }
    const key = `${name}\u0000${domain}\u0000${path}`;
    if (expires <= now) this.cookies.delete(key);
    else this.cookies.set(key, { name, value, domain, hostOnly, path, secure, expires });
  }

  /** The Cookie header for a request to `url` at `now`, or undefined when no cookie applies. */
  header(url: URL, now: number): string | undefined {
    if (this.cookies.size === 0) return undefined;
    const host = url.hostname, path = url.pathname || "/", https = url.protocol === "https:";
    let out: string | undefined;
    for (const [key, c] of this.cookies) {
      if (c.expires <= now) {
        this.cookies.delete(key);
        continue;
      }
      if (!domainMatches(host, c) || !pathMatches(path, c.path) || (c.secure && !https)) continue;
      out = out === undefined ? `${c.name}=${c.value}` : `${out}; ${c.name}=${c.value}`;
    }
    return out;
  }

  /** The value of the cookie named `name` (any domain and path), if the jar holds one. */
  get(name: string): string | undefined {
    for (const c of this.cookies.values()) if (c.name === name) return c.value;
    return undefined;
  }

  /** Sets a cookie for every host and path, as a script asks. */
  set(name: string, value: string): void {
    this.cookies.set(`${name}\u0000\u0000/`, {
      name,
      value,
      domain: "",
      hostOnly: false,
      path: "/",
      secure: false,
      expires: Number.POSITIVE_INFINITY,
    });
  }

  clear(): void {
    this.cookies.clear();
  }
}
