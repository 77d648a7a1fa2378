// --targets line by line: vegeta's HTTP format read into requests, and each malformed line in either format refused with its own line number and reason, or skipped whole with --skip-invalid.
import { Either } from "effect";
import * as Targets from "../../src/core/targets.ts";
import { assertEquals, refusal } from "../assert.ts";

const problem = (text: string, format: Targets.Format = "auto") =>
  refusal(Targets.parse(text, false, format));
/** A refusal's message for line `n`. */
const at = (n: number, what: string) => `--targets line ${n}: ${what}`;

Deno.test("http: request lines, headers and a body file, blocks apart by blank lines, comments skipped", () => {
  const text = [
    "# a comment",
    "GET http://h/a",
    "X-A: 1",
    "",
    "post http://h/b",
    "Content-Type: text/plain",
    "@body.txt",
    "",
    "",
    "GET http://h/c",
  ].join("\r\n");
  const p = Either.getOrThrow(Targets.parse(text));
  assertEquals(
    p.entries.map((e) => [e.method, e.url.href, e.headers, e.body, e.line]),
    [
      ["GET", "http://h/a", [["X-A", "1"]], undefined, 2],
      ["POST", "http://h/b", [["Content-Type", "text/plain"]], { file: "body.txt" }, 5],
      ["GET", "http://h/c", [], undefined, 10],
    ],
  );
  assertEquals(p.skipped, 0);
});

Deno.test("http: each malformed line is refused with its line number and what is wrong", () => {
  assertEquals(problem("GET"), at(1, "expected 'METHOD URL', found 'GET'"));
  assertEquals(
    problem("GET http://u:pw@h/ extra"),
    at(1, "expected 'METHOD URL', found 'GET http://u:****@h/ extra'"),
  );
  assertEquals(problem("G(T http://h/"), at(1, "'G(T' is not an HTTP method"));
  assertEquals(
    problem("\nGET ftp://h/"),
    at(2, "'ftp://h/' is not a usable URL: it must start with http:// or https://"),
  );
  assertEquals(problem("GET http://h/\n@a\n@b"), at(3, "a second body file for one target"));
  assertEquals(problem("GET http://h/\n@"), at(2, "'@' names no body file"));
  assertEquals(
    problem("GET http://h/\n@a\nX-A: 1"),
    at(3, "a header after the body file; put headers first"),
  );
  assertEquals(
    problem("GET http://h/\nnot a header"),
    at(2, "'not…' is not a header like 'Name: value'"),
  );
  assertEquals(problem("# only a comment\n"), "--targets: no targets found");
});

Deno.test("http: with --skip-invalid a malformed target is skipped to its blank line and counted", () => {
  const text =
    "GET http://h/a\n@x\nX-Late: 1\nX-More: 2\n\nGET http://h/b\n\nBAD\nX-A: 1\n\nGET http://h/c";
  const p = Either.getOrThrow(Targets.parse(text, true));
  assertEquals([p.entries.map((e) => e.url.pathname), p.skipped], [["/b", "/c"], 2]);
});

Deno.test("json and ndjson: each malformed line is refused with its line number and what is wrong", () => {
  assertEquals(problem('{"url":"http://h/"}\n[1]', "ndjson"), at(2, "not a JSON object"));
  assertEquals(problem('{"url":"http://h/"}\nnull', "ndjson"), at(2, "not a JSON object"));
  assertEquals(problem('{"method":1,"url":"http://h/"}'), at(1, "'method' must be a string"));
  assertEquals(problem('{"method":"G T","url":"http://h/"}'), at(1, "'G T' is not an HTTP method"));
  assertEquals(
    problem('{"url":"http://u:pw@h/"}'),
    at(1, "'http://u:****@h/' is not a usable URL: put credentials in an Authorization header"),
  );
  assertEquals(problem('{"url":"http://h/","headers":[]}'), at(1, "'headers' must be an object"));
  assertEquals(problem('{"url":"http://h/","headers":null}'), at(1, "'headers' must be an object"));
  assertEquals(
    problem('{"method":"GET","url":"http://h/","header":"x"}'),
    at(1, "'header' must be an object"),
  );
  assertEquals(
    problem('{"url":"http://h/","headers":{"A B":"1"}}'),
    at(1, "'A B' is not a header name"),
  );
  assertEquals(problem('{"url":"http://h/","body":5}', "ndjson"), at(1, "'body' must be a string"));
});

Deno.test("json and ndjson: with --skip-invalid each malformed line is skipped and counted", () => {
  const text = '{"url":"http://h/a"}\n[1]\n{"url":5}\n\n{"url":"http://h/b"}';
  const p = Either.getOrThrow(Targets.parse(text, true, "ndjson"));
  assertEquals([p.entries.map((e) => [e.url.pathname, e.line]), p.skipped], [
    [["/a", 1], ["/b", 5]],
    2,
  ]);
});
