// A user's cookie jar: what a response sets goes back to the same host and path, until it expires or is deleted.
import { CookieJar } from "../../src/core/cookie_jar.ts";
import { assertEquals } from "../assert.ts";

const at = (s: string) => new URL(s);
const now = Date.UTC(2026, 11, 4);

Deno.test("cookie jar: a cookie set by a response goes back to its host, not to another", () => {
  const jar = new CookieJar();
  jar.take("session=t1; Path=/; HttpOnly", at("http://api.test/login"), now);
  assertEquals(jar.header(at("http://api.test/items/3"), now), "session=t1");
  assertEquals(jar.header(at("http://other.test/items"), now), undefined);
  assertEquals(jar.header(at("http://sub.api.test/items"), now), undefined);
  assertEquals(jar.get("session"), "t1");
  // Set again: replaced, not added.
  jar.take("session=t2; Path=/", at("http://api.test/login"), now);
  assertEquals([jar.header(at("http://api.test/"), now), jar.size], ["session=t2", 1]);
});

Deno.test("cookie jar: a cookie's path scopes it, and the default path is the response's directory", () => {
  const jar = new CookieJar();
  jar.take("a=1; Path=/items", at("http://api.test/x"), now);
  jar.take("b=2", at("http://api.test/shop/cart"), now);
  assertEquals(jar.header(at("http://api.test/items/7"), now), "a=1");
  assertEquals(jar.header(at("http://api.test/items"), now), "a=1");
  assertEquals(jar.header(at("http://api.test/itemsx"), now), undefined);
  assertEquals(jar.header(at("http://api.test/shop/list"), now), "b=2");
  assertEquals(jar.header(at("http://api.test/"), now), undefined);
});

Deno.test("cookie jar: Max-Age and Expires end a cookie; Max-Age=0 deletes it at once and wins over Expires", () => {
  const jar = new CookieJar();
  const url = at("http://api.test/");
  jar.take("short=1; Max-Age=10", url, now);
  jar.take("dated=1; Expires=Fri, 04 Dec 2026 00:00:05 GMT", url, now);
  assertEquals(jar.header(url, now + 4_000), "short=1; dated=1");
  assertEquals(jar.header(url, now + 6_000), "short=1");
  assertEquals(jar.header(url, now + 11_000), undefined);
  jar.take("gone=1", url, now);
  jar.take("gone=1; Max-Age=0; Expires=Fri, 04 Dec 2027 00:00:00 GMT", url, now);
  assertEquals(jar.get("gone"), undefined);
});

Deno.test("cookie jar: a Domain cookie covers the domain's hosts; a Domain the host is not in is refused; Secure ones only go over https", () => {
  const jar = new CookieJar();
  jar.take("d=1; Domain=.api.test", at("http://www.api.test/"), now);
  jar.take("evil=1; Domain=other.test", at("http://www.api.test/"), now);
  jar.take("s=1; Secure", at("https://api.test/"), now);
  assertEquals(jar.header(at("http://sub.api.test/"), now), "d=1");
  assertEquals(jar.header(at("http://api.test/"), now), "d=1");
  assertEquals(jar.header(at("https://api.test/"), now), "d=1; s=1");
  assertEquals(jar.header(at("http://other.test/"), now), undefined);
  jar.take("noname", at("http://api.test/"), now);
  jar.take("=nothing", at("http://api.test/"), now);
  assertEquals(jar.size, 2);
});

Deno.test("cookie jar: a script's own cookie goes to every host and path; clear() empties the jar", () => {
  const jar = new CookieJar();
  jar.set("tenant", "blue");
  assertEquals(jar.header(at("http://a.test/x/y"), now), "tenant=blue");
  assertEquals(jar.header(at("https://b.test/"), now), "tenant=blue");
  jar.clear();
  assertEquals([jar.header(at("http://a.test/"), now), jar.get("tenant")], [undefined, undefined]);
});

Deno.test("cookie jar: a cookie is gone at the very millisecond it expires, not one later; one set by a response to /x has path /, the same cookie as one set with Path=/", () => {
  const jar = new CookieJar();
  const url = at("http://api.test/");
  jar.take("short=1; Max-Age=10", url, now);
  assertEquals(jar.header(url, now + 9_999), "short=1");
  assertEquals(jar.header(url, now + 10_000), undefined);
  jar.take("dated=1; Expires=Fri, 04 Dec 2026 00:00:00 GMT", url, now); // expires at now
  assertEquals([jar.get("dated"), jar.size], [undefined, 0]);
  jar.take("a=1", at("http://api.test/x"), now);
  jar.take("a=2; Path=/", at("http://api.test/x"), now);
  assertEquals([jar.header(at("http://api.test/y/z"), now), jar.size], ["a=2", 1]);
});
