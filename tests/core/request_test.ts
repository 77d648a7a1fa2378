// The request parsers case by case: each refusal with its own reason, headers at the colon's edges, URLs echoed unchanged when nothing in them is secret, and each framing problem named.
import { Either } from "effect";
import * as Request from "../../src/core/request.ts";
import { assertEquals, refusal } from "../assert.ts";

Deno.test("a URL is refused with the reason that applies: scheme, parse, credentials", () => {
  const why = (text: string) =>
    refusal(Request.parseUrl(text)).replace(/^.* is not a usable URL: /, "");
  assertEquals(why("ftp://h/"), "it must start with http:// or https://");
  assertEquals(why("http://[::1/"), "it does not parse");
  assertEquals(why("http://u:pw@h/"), "put credentials in an Authorization header");
  assertEquals(why("http://u@h/"), "put credentials in an Authorization header");
  assertEquals(why("HTTPS://Example.com:8443/p?q=1"), "accepted");
  assertEquals(Either.getOrThrow(Request.parseUrl("http://h:81/a?b=c")).href, "http://h:81/a?b=c");
  // The refusal never repeats the password it refuses.
  assertEquals(refusal(Request.parseUrl("http://u:hunter2@h/")).includes("hunter2"), false);
});

Deno.test("a header splits at its first colon, trims both sides, and keeps an empty value", () => {
  const ok = (text: string) => Either.getOrThrow(Request.parseHeader(text));
  assertEquals(ok("X-A: b:c "), ["X-A", "b:c"]);
  assertEquals(ok("X-Empty:"), ["X-Empty", ""]);
  assertEquals(ok("X-One:v"), ["X-One", "v"]);
});

Deno.test("a header is refused with the reason that applies, and never repeats its value", () => {
  const why = (text: string) => refusal(Request.parseHeader(text));
  assertEquals(why(": v"), "--header: '…' is not a header like 'Name: value'");
  assertEquals(why("NoColon"), "--header: 'NoColon' is not a header like 'Name: value'");
  assertEquals(
    why(`${"n".repeat(50)} v`),
    `--header: '${"n".repeat(40)}…' is not a header like 'Name: value'`,
  );
  assertEquals(why("Bad Name: v"), "--header: 'Bad Name' is not a header name");
  assertEquals(
    why("X-Token: abc\r\nInjected: 1"),
    "--header: the value of 'X-Token' contains a line break or NUL",
  );
  assertEquals(why("X-Nul: a\0b"), "--header: the value of 'X-Nul' contains a line break or NUL");
});

Deno.test("a name outside the masking rule is not secret, and a URL with nothing secret is echoed as it is", () => {
  assertEquals(Request.isSecretName("X-Request-Id"), false);
  assertEquals(Request.isSecretName("X-Api-Key"), true);
  assertEquals(Request.maskHeader(["Authorization", ""]), ["Authorization", ""]);
  const plain = new URL("http://h/a%20b");
  assertEquals(Request.maskUrl(plain), "http://h/a%20b");
  assertEquals(Request.maskUrl(new URL("http://h/?page=2&token=x")), "http://h/?page=2&token=****");
  assertEquals(Request.maskUrl(new URL("http://u:pw@h/")), "http://u:****@h/");
});

Deno.test("each framing problem is named, and headers that frame the body as salvo would pass", () => {
  const problem = (headers: [string, string][], length = 3) =>
    Request.framingProblem(headers, length);
  assertEquals(problem([["Host", "a"]]), undefined);
  assertEquals(
    problem([["Host", "a"], ["host", "b"]]),
    "Host is given more than once: give it once",
  );
  assertEquals(
    problem([["Transfer-Encoding", "chunked"]]),
    "salvo sends a body with Content-Length, never chunked: drop the Transfer-Encoding header",
  );
  assertEquals(problem([["Content-Length", " 3 "]]), undefined);
  assertEquals(
    problem([["Content-Length", "3"], ["content-length", "3"]]),
    "Content-Length is given more than once: drop it (salvo sets it)",
  );
  assertEquals(
    problem([["Content-Length", "4"]]),
    "Content-Length '4' is not the body's 3 bytes: drop it (salvo sets it)",
  );
});
