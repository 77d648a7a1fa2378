// What a failed exchange threw, mapped to its reason: the README's list, the dns reason included.
import { classify } from "../../src/engine/classify.ts";
import { TransportError } from "../../src/engine/http1.ts";
import { ProtocolError } from "../../src/engine/response_parser.ts";
import { assertEquals } from "../assert.ts";

Deno.test("classify: each kind of failure has its reason", () => {
  const cases: ReadonlyArray<readonly [unknown, string]> = [
    [new Deno.errors.ConnectionRefused("refused"), "connection_refused"],
    [new Deno.errors.ConnectionReset("reset"), "connection_reset"],
    [new Deno.errors.BrokenPipe("broken pipe"), "connection_reset"],
    [new Deno.errors.UnexpectedEof("eof"), "connection_closed"],
    [new Deno.errors.TimedOut("timed out"), "timeout"],
    // What Deno throws for a name that does not resolve.
    [
      new Deno.errors.NotFound("failed to lookup address information: Name or service not known"),
      "dns",
    ],
    [new Error("dns error: no record found for Query"), "dns"],
    [new Deno.errors.InvalidData("invalid peer certificate: UnknownIssuer"), "tls"],
    // A certificate for another name names a DnsName: still tls, not dns.
    [
      new Deno.errors.InvalidData(
        'invalid peer certificate: certificate not valid for name "127.0.0.1"; certificate is only valid for DnsName("other.example")',
      ),
      "tls",
    ],
    [new ProtocolError("response is not HTTP/1.x"), "protocol_error"],
    [new TransportError("redirect_limit", "more than 10 redirects"), "redirect_limit"],
    [new Error("something else"), "other"],
    // By their type alone, whatever their message says: each typed check counts.
    [new Deno.errors.ConnectionRefused("os error 111"), "connection_refused"],
    [new Deno.errors.ConnectionAborted("os error 103"), "connection_reset"],
    [new Deno.errors.TimedOut("os error 110"), "timeout"],
    [new Deno.errors.NotFound("os error 2"), "dns"],
    [new Deno.errors.InvalidData("bad bytes"), "tls"],
  ];
  for (const [error, reason] of cases) {
    assertEquals(classify(error, undefined), reason, String(error));
  }
});

Deno.test("classify: what salvo cut itself is a timeout or cancelled, whatever the socket then threw", () => {
  assertEquals(classify(new Deno.errors.BadResource("closed"), "timeout"), "timeout");
  assertEquals(classify(new Deno.errors.Interrupted("closed"), "cancelled"), "cancelled");
});
