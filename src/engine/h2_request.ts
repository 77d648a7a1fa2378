// A request as HTTP/2 sends it, encoded once per run: its header fields as HPACK holds them, and its body.

/** One request as HTTP/2 sends it: its header fields (byte strings, pseudo-headers first) and body. */
export interface H2Request {
  readonly fields: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array | undefined;
}

/** Fields HTTP/2 forbids or carries otherwise (RFC 9113 §8.2.2; Host becomes :authority). */
const connectionSpecific = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "host",
  "te",
]);

/** A string as UTF-8, one char per octet: how HPACK's tables hold it. */
const octets = (s: string): string => {
  let out = "";
  for (const b of new TextEncoder().encode(s)) out += String.fromCharCode(b);
  return out;
};

/** Encodes a request for HTTP/2 once per run: pseudo-headers, User-Agent unless set, then the user's fields. */
export const encodeH2 = (
  method: string,
  url: URL,
  headers: ReadonlyArray<readonly [string, string]>,
  body: Uint8Array | undefined,
  userAgent: string,
): H2Request => {
  const given = headers.map(([k, v]) => [k.toLowerCase(), v] as const);
  const has = (n: string) => given.some(([k]) => k === n);
  const fields: Array<readonly [string, string]> = [
    [":method", method],
    [":scheme", url.protocol.slice(0, -1)],
    [":authority", given.find(([k]) => k === "host")?.[1] ?? url.host],
    [":path", `${url.pathname || "/"}${url.search}`],
  ];
  if (!has("user-agent")) fields.push(["user-agent", userAgent]);
  for (const f of given) if (!connectionSpecific.has(f[0])) fields.push(f);
  if (body !== undefined && !has("content-length")) {
    fields.push(["content-length", String(body.length)]);
  }
  return { fields: fields.map(([k, v]) => [octets(k), octets(v)] as const), body };
};
