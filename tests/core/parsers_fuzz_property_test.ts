// Fuzz: every parser returns a value or a typed error for any input, never throws, never hangs.
import { Either } from "effect";
import fc from "fast-check";
import * as Codec from "../../src/core/histogram_codec.ts";
import * as Pacing from "../../src/core/pacing.ts";
import * as Request from "../../src/core/request.ts";
import * as Status from "../../src/core/status.ts";
import * as Thresholds from "../../src/core/thresholds.ts";
import { parseCount, parseDuration } from "../../src/core/units.ts";
import { assert } from "../assert.ts";

const parsers: ReadonlyArray<
  readonly [string, (s: string) => Either.Either<unknown, { message: string }>]
> = [
  ["duration", (s) => parseDuration("--duration", s)],
  ["count", (s) => parseCount("--requests", s, 1)],
  ["rate", Pacing.parseRate],
  ["stages", Pacing.parseStages],
  ["threshold", Thresholds.parse],
  ["header", Request.parseHeader],
  ["url", Request.parseUrl],
  ["method", Request.parseMethod],
  ["success status", Status.parseSuccessStatus],
  ["histogram string", Codec.decode],
];

/** Strings near the grammars as well as arbitrary ones, so the fuzz reaches past the first check. */
const input = fc.oneof(
  fc.string(),
  fc.fullUnicodeString(),
  fc.stringOf(fc.constantFrom(..."0123456789.:,-+/%<>=!()psmuµhHTP ")),
  fc.stringOf(fc.constantFrom(..."0123456789"), { minLength: 300, maxLength: 2000 }),
  fc.base64String(),
);

for (const [name, parse] of parsers) {
  Deno.test(`${name} parser: any string gives a value or an error with a message, quickly`, () => {
    fc.assert(
      fc.property(input, (s) => {
        const started = performance.now();
        const r = parse(s);
        assert(performance.now() - started < 100, `slow on ${JSON.stringify(s).slice(0, 80)}`);
        if (Either.isLeft(r)) assert(r.left.message.length > 0, "an error without a message");
      }),
      { numRuns: 1000 },
    );
  });
}

Deno.test("masking: a URL's password and credential parameters never survive, parsed or refused", () => {
  // The user name holds no '/': with one, the authority ends there and what follows is a path.
  const word = fc.stringOf(fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@/%"), { maxLength: 12 });
  const user = fc.stringOf(fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=@%"), { maxLength: 12 });
  fc.assert(
    fc.property(user, word, fc.boolean(), word, (user, tail, withQuery, path) => {
      const secret = `PW${tail.replace(/[\s]/g, "")}Z9`;
      const text = `http://${user}:${secret}@127.0.0.1:8080/${path}` +
        (withQuery ? `?page=2&api_key=${secret}` : "");
      const masked = Request.maskSecrets(`salvo: '${text}' is not a usable URL`);
      assert(!masked.includes(secret), `${secret} in ${masked}`);
      const r = Request.parseUrl(text);
      if (Either.isLeft(r)) assert(!r.left.message.includes(secret), r.left.message);
      else assert(!Request.maskUrl(r.right).includes(secret), Request.maskUrl(r.right));
    }),
    { numRuns: 1000 },
  );
});

Deno.test("masking rule: any name containing a rule's part, in any case and with anything around it, is masked as a header, a query parameter and in free text", () => {
  const affix = fc.stringOf(fc.constantFrom(..."abXY-_019"), { maxLength: 6 });
  const casing = (s: string, flips: ReadonlyArray<boolean>) =>
    [...s].map((c, i) => (flips[i % Math.max(1, flips.length)] ? c.toUpperCase() : c)).join("");
  fc.assert(
    fc.property(
      affix,
      fc.constantFrom(...Request.secretParts),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
      affix,
      (before, part, flips, after) => {
        const name = `${before}${casing(part, flips)}${after}`;
        const secret = "S3CR3TVALUE";
        assert(Request.maskHeader([name, secret])[1] === "****", name);
        const url = new URL(`http://127.0.0.1/x?${encodeURIComponent(name)}=${secret}&page=2`);
        assert(!Request.maskUrl(url).includes(secret), Request.maskUrl(url));
        const text = Request.maskSecrets(`GET http://h/p?a=1&${name}=${secret} failed`);
        assert(!text.includes(secret), text);
      },
    ),
    { numRuns: 1000 },
  );
  // A name outside the rule is echoed as given, until --mask adds it.
  assert(Request.maskHeader(["X-Env", "staging"])[1] === "staging");
  Request.maskAlso(["env"]);
  try {
    assert(Request.maskHeader(["X-Env", "staging"])[1] === "****");
    assert(Request.maskSecrets("http://h/?ENV=prod&page=2").includes("ENV=****&page=2"));
  } finally {
    Request.maskAlso([]);
  }
});
