// A scenario's --data rows: CSV (RFC 4180), JSON and NDJSON parsed into rows, faults named by line; and rows dealt to load threads, unique ones each exactly once across them.
import fc from "fast-check";
import { DataError, Dealer, formatOf, parse } from "../../src/core/scenario_data.ts";
import { assert, assertEquals } from "../assert.ts";

const fails = (text: string, format: "csv" | "json" | "ndjson"): DataError => {
  try {
    parse(text, format);
  } catch (e) {
    assert(e instanceof DataError, String(e));
    return e;
  }
  throw new Error("parsed");
};

Deno.test("data: CSV fields may be quoted, holding commas, doubled quotes and line breaks; CRLF and a last line without one are read", () => {
  const rows = parse('user,note\r\nann,"a, b"\r\nbob,"say ""hi""\nthere"\ncid,plain', "csv");
  assertEquals(rows, [
    { user: "ann", note: "a, b" },
    { user: "bob", note: 'say "hi"\nthere' },
    { user: "cid", note: "plain" },
  ]);
  assertEquals(parse("a\n1\n\n2\n", "csv"), [{ a: "1" }, { a: "2" }]);
});

Deno.test("data: each fault names its line: a row with another field count, an unclosed quote, a nameless column, no rows", () => {
  const short = fails("user,password\nann,salvo\nbob\n", "csv");
  assertEquals([short.line, short.message], [3, "1 fields where the header has 2"]);
  const quote = fails('a,b\n1,"open\n2,3\n', "csv");
  assertEquals([quote.line, quote.message], [2, "a quoted field is not closed"]);
  assertEquals(fails("a,,c\n1,2,3\n", "csv").message, "a column has no name");
  assertEquals(fails("a\n", "csv").message, "no rows");
  assertEquals(fails("", "csv").message, "no header line");
  const nd = fails('{"a":1}\n\n[1]\n', "ndjson");
  assertEquals([nd.line, nd.message], [3, "not a JSON object"]);
  assertEquals(fails('{"a":1}\n{oops\n', "ndjson").line, 2);
  assertEquals(fails('{"a":1}', "json").message, "a JSON file must hold an array of objects");
  assertEquals(fails("[1]", "json").message, "element 0 is not an object");
  assert(fails("[", "json").message.startsWith("not JSON"));
  assertEquals(parse('[{"user":"ann","n":1}]', "json"), [{ user: "ann", n: 1 }]);
});

Deno.test("data: the format comes from the extension, else from the first character", () => {
  assertEquals(
    [
      formatOf("u.CSV", "[x"),
      formatOf("u.json", "a,b"),
      formatOf("u.ndjson", ""),
      formatOf("u.jsonl", ""),
      formatOf("rows", '  [{"a":1}]'),
      formatOf("rows", '{"a":1}'),
      formatOf("rows", "a,b"),
    ],
    ["csv", "json", "ndjson", "ndjson", "json", "ndjson", "csv"],
  );
});

const field = fc.string({ maxLength: 8 }).map((s) => s.replace(/\r/g, ""));
const quoted = (s: string) => `"${s.replace(/"/g, '""')}"`;

Deno.test("data: any rows written as CSV with every field quoted read back the same", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), { minLength: 1, maxLength: 4 }),
      fc.array(fc.array(field, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 20 }),
      (names, values) => {
        const text = [
          names.map(quoted).join(","),
          ...values.map((v) => names.map((_, i) => quoted(v[i]!)).join(",")),
        ]
          .join("\r\n");
        const rows = parse(text, "csv");
        assertEquals(rows, values.map((v) => Object.fromEntries(names.map((n, i) => [n, v[i]!]))));
      },
    ),
  );
});

Deno.test("data: rows dealt unique across any number of threads go out each exactly once, then each thread says it has none left", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 8 }), (n, count) => {
      const rows = Array.from({ length: n }, (_, i) => ({ i }));
      const seen: number[] = [];
      for (let index = 0; index < count; index++) {
        const d = new Dealer(rows, "unique", { index, count });
        const before = seen.length;
        for (let r = d.next(); r !== undefined; r = d.next()) seen.push(r.i as number);
        assertEquals(d.next(), undefined);
        // Asking past the end deals nothing: the count is the rows this thread took.
        assertEquals(d.dealt, seen.length - before);
      }
      assertEquals(seen.sort((a, b) => a - b), rows.map((r) => r.i));
    }),
  );
});

Deno.test("data: round-robin deals every row in turn, each thread from its own place, without end; random deals rows of the file", () => {
  const rows = [{ i: 0 }, { i: 1 }, { i: 2 }];
  const d = new Dealer(rows, "round-robin", { index: 1, count: 2 });
  assertEquals(Array.from({ length: 7 }, () => d.next()!.i), [1, 2, 0, 1, 2, 0, 1]);
  assertEquals(d.dealt, 7);
  const draws = [0.99, 0, 0.5, 0.4];
  const r = new Dealer(rows, "random", { index: 0, count: 1 }, () => draws.shift()!);
  assertEquals([r.next()!.i, r.next()!.i, r.next()!.i, r.next()!.i], [2, 0, 1, 1]);
  assertEquals(r.dealt, 4);
});
