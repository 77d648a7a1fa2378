// Following redirects (--follow-redirects): off by default; to another host only with =any.
import type { RequestSpec } from "../domain/plan.ts";
import { Connection, encodeRequest, type Endpoint, TransportError } from "./http1.ts";
import { atDeadline } from "./timer_limit.ts";

export type FollowMode = "same" | "any";

/** Redirects followed per request; one more is a failure (`redirect_limit`), as in curl and browsers. */
export const maxHops = 10;
const credentialHeaders = new Set(["authorization", "cookie", "proxy-authorization"]);

export const isRedirect = (status: number): boolean =>
  status === 301 || status === 302 || status === 303 || status === 307 || status === 308;

export const endpointOf = (url: URL, base: Endpoint): Endpoint => ({
  ...base,
  hostname: url.hostname.replace(/^\[|\]$/g, ""),
  port: Number(url.port) || (url.protocol === "https:" ? 443 : 80),
  tls: url.protocol === "https:",
});

export class Redirects {
  constructor(
    readonly mode: FollowMode,
    private readonly spec: RequestSpec,
    private readonly endpoint: Endpoint,
    private readonly userAgent: string,
  ) {}

  /**
   * `conn` has just been answered with a redirect: follows it, hop by hop, and leaves the final status
   * and the bytes of every hop on `conn`. Hops to the target's own origin reuse `conn`; to another
   * (only with `any`) they use a connection of their own, without the credential headers. A redirect
   * that is not to be followed is the final answer; one beyond `maxHops` (a loop) throws
   * `redirect_limit`.
   */
  async follow(conn: Connection): Promise<void> {
    const origin = this.spec.url.origin;
    let url = this.spec.url;
    let method = this.spec.method;
    let body = this.spec.body;
    let { status, bytes, location } = conn;
    for (let hop = 0; isRedirect(status) && location !== undefined; hop++) {
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        break;
      }
      const same = next.origin === origin;
      if (
        (next.protocol !== "http:" && next.protocol !== "https:") || (!same && this.mode !== "any")
      ) break;
      if (hop === maxHops) {
        conn.bytes = bytes;
        throw new TransportError("redirect_limit", `more than ${maxHops} redirects`);
      }
      if (status === 303 || ((status === 301 || status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
      }
      const headers = same ? this.spec.headers : this.spec.headers.filter(([k]) => {
        const name = k.toLowerCase();
        return name !== "host" && !credentialHeaders.has(name);
      });
      const request = encodeRequest(method, next, headers, body, this.userAgent);
      const c = same ? conn : new Connection(endpointOf(next, this.endpoint), true);
      const cancel = same ? undefined : atDeadline(conn.deadline, () => c.abort());
      try {
        await c.exchange(request, method === "HEAD");
      } finally {
        cancel?.();
        if (!same) c.close();
      }
      ({ status, location } = c);
      bytes += c.bytes;
      url = next;
    }
    conn.status = status;
    conn.bytes = bytes;
  }
}
