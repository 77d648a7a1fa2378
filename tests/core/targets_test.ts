// --targets parsing: vegeta's JSON format decoded as vegeta defines it, beside salvo's NDJSON, nothing ignored.
import { Either } from "effect";
import * as Targets from "../../src/core/targets.ts";
import { assert, assertEquals } from "../assert.ts";

const decoder = new TextDecoder();

/** The parse's entries as plain data, or its error message. */
const parsed = (text: string, format: Targets.Format = "auto") => {
  const r = Targets.parse(text, false, format);
  if (Either.isLeft(r)) return { error: r.left.message };
  return r.right.entries.map((e) => ({
    method: e.method,
    url: e.url.href,
    headers: e.headers,
    body: e.body === undefined
      ? undefined
      : "bytes" in e.body
      ? decoder.decode(e.body.bytes)
      : "text" in e.body
      ? e.body.text
      : `@${e.body.file}`,
  }));
};

// vegeta's own JSONTargeter cases (lib/targets_test.go), as salvo reads them.
Deno.test("vegeta JSON: 'no defaults': header lists and a base64 body are decoded", () => {
  assertEquals(
    parsed(
      `{"method": "GET", "url": "http://goku", "header":{"x": ["foo"]}, "body": "QVRUQUNLIQ=="}\n`,
    ),
    [{ method: "GET", url: "http://goku/", headers: [["x", "foo"]], body: "ATTACK!" }],
  );
});

Deno.test("vegeta JSON: a header's values all become headers, in order", () => {
  assertEquals(
    parsed(`{"method": "GET", "url": "http://goku", "header":{"x": ["bar", "foo"], "y": []}}`),
    [{
      method: "GET",
      url: "http://goku/",
      headers: [["x", "bar"], ["x", "foo"]],
      body: undefined,
    }],
  );
});

Deno.test("vegeta JSON: 'empty object', 'empty method', 'empty url' and 'bad body encoding' are errors naming the line", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    [`{"header": {}}`, "--targets line 1: 'method' is missing (vegeta's JSON requires it)"],
    [
      `{"method": "", "header": {}}`,
      "--targets line 1: 'method' is missing (vegeta's JSON requires it)",
    ],
    [`{"method": "GET", "header": {}}`, "--targets line 1: 'url' is missing or not a string"],
    [
      `\n{"method": "GET", "url": "http://goku", "header": {}, "body": "NOT BASE64"}`,
      "--targets line 2: 'body' is not base64 (vegeta's JSON encodes bodies)",
    ],
    [
      `{"method": "GET", "url": "http://goku", "header": {"x": "foo"}}`,
      "--targets line 1: header 'x' must be a list of strings",
    ],
  ];
  for (const [text, error] of cases) assertEquals(parsed(text, "json"), { error }, text);
  for (const [text, error] of cases.slice(3)) assertEquals(parsed(text), { error }, text);
});

Deno.test("vegeta JSON: 'skips empty lines and surrounding whitespace'", () => {
  assertEquals(parsed(`\n\n\t\t  {"method": "GET", "url": "https://goku"}\n\n\t`, "json"), [
    { method: "GET", url: "https://goku/", headers: [], body: undefined },
  ]);
});

Deno.test("salvo's NDJSON: headers as strings or lists, the body as text, GET by default", () => {
  assertEquals(
    parsed(`{"url": "http://a/", "headers": {"x": "1", "y": ["2", "3"]}, "body": "QVRUQUNLIQ=="}`),
    [{
      method: "GET",
      url: "http://a/",
      headers: [["x", "1"], ["y", "2"], ["y", "3"]],
      body: "QVRUQUNLIQ==",
    }],
  );
});

Deno.test("an unknown key or a key of the other format is an error naming the line, never ignored", () => {
  assertEquals(parsed(`{"url": "http://a/", "headers": {}}\n{"url": "http://a/", "hedaers": {}}`), {
    error:
      "--targets line 2: unknown key 'hedaers' (salvo's NDJSON has method, url, headers, body)",
  });
  assertEquals(parsed(`{"method": "GET", "url": "http://a/", "headers": {}}`, "json"), {
    error: "--targets line 1: unknown key 'headers' (vegeta's JSON has method, url, header, body)",
  });
});

Deno.test("auto: a body with neither 'header' nor 'headers' is ambiguous; mixing both is refused", () => {
  const ambiguous = parsed(`{"method": "GET", "url": "http://a/", "body": "QVRUQUNLIQ=="}`);
  assert("error" in ambiguous && ambiguous.error.includes("--targets-format"), String(ambiguous));
  assertEquals(parsed(`{"method": "GET", "url": "http://a/", "body": "QVRUQUNLIQ=="}`, "json"), [
    { method: "GET", url: "http://a/", headers: [], body: "ATTACK!" },
  ]);
  assertEquals(parsed(`{"method": "GET", "url": "http://a/", "body": "QVRUQUNLIQ=="}`, "ndjson"), [
    { method: "GET", url: "http://a/", headers: [], body: "QVRUQUNLIQ==" },
  ]);
  const mixed = parsed(
    `{"url": "http://a/", "headers": {}}\n{"method": "GET", "url": "http://a/", "header": {}}`,
  );
  assert("error" in mixed && mixed.error.includes("mixes vegeta's JSON"), String(mixed));
  // Without bodies the two forms read the same.
  assertEquals(parsed(`{"method": "GET", "url": "http://a/"}`), [
    { method: "GET", url: "http://a/", headers: [], body: undefined },
  ]);
});

Deno.test("an NDJSON error's line number counts blank lines", () => {
  assertEquals(parsed(`{"url": "http://a/"}\n\n{"url": 7}`), {
    error: "--targets line 3: 'url' is missing or not a string",
  });
});
