// JUnit XML: one testcase per threshold, every character of user text escaped.
import * as Thresholds from "../../src/core/thresholds.ts";
import * as Junit from "../../src/report/junit.ts";
import { assert, assertEquals } from "../assert.ts";

const evaluation = (expression: string, passed: boolean): Thresholds.Evaluation => ({
  threshold: { expression, metric: { kind: "count", name: "requests" }, op: ">=", limit: 10 },
  passed,
  actual: 9,
});

Deno.test("JUnit: markup characters in expressions and details are escaped, a failure per failed threshold", () => {
  const xml = Junit.render(
    [evaluation(`a&b<c>"d'`, false), evaluation("requests>=1", true)],
    2.5,
    "attempts 9 & more <x>",
  );
  assert(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n`), xml);
  assert(xml.includes(`name="a&amp;b&lt;c&gt;&quot;d&apos;"`), xml);
  assert(xml.includes(`name="requests&gt;=1" time="2.500"/>`), xml);
  assert(xml.includes(">attempts 9 &amp; more &lt;x&gt;</failure>"), xml);
  assertEquals(xml.match(/<failure /g)?.length, 1);
  assert(xml.includes(`<testsuites tests="2" failures="1" time="2.500">`), xml);
  // No raw '&' or '<' left in any text or attribute.
  const body = xml.replace(/^<\?xml[^?]*\?>/, "").replace(
    /<\/?[a-z]+(\s+[a-z]+="[^"<&]*(&(amp|lt|gt|quot|apos);[^"<&]*)*")*\s*\/?>/g,
    "",
  );
  assert(!/[<]|&(?!(amp|lt|gt|quot|apos);)/.test(body), body);
});
