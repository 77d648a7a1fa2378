// End-to-end: --insecure connects whatever the certificate's fault, and without it each fault fails
// with reason tls and a line that says why. The certificates are made by the test (tests/e2e/certs.ts).
import { assert, assertEquals } from "../assert.ts";
import { makeCerts, tlsServer } from "./certs.ts";
import { runJson, salvo } from "./support.ts";

const certs = await makeCerts();
const faults = {
  "self-signed": certs.selfSigned,
  "expired": certs.expired,
  "for another name": certs.otherName,
  "self-signed, not a CA, for another name": certs.pinnable,
};

for (const [fault, pair] of Object.entries(faults)) {
  Deno.test(`--insecure connects to a server whose certificate is ${fault}: counts equal the server's`, async () => {
    const server = tlsServer(pair);
    try {
      const { code, json } = await runJson([server.url, "-n", "40", "-c", "4", "--insecure"]);
      assertEquals(code, 0);
      assertEquals(json.successes, 40);
      assertEquals(json.errors, {});
      assertEquals(server.count(), 40);
    } finally {
      await server.stop();
    }
  });
}

const refusals: ReadonlyArray<readonly [string, typeof certs.expired, string[], RegExp]> = [
  ["self-signed", certs.selfSigned, [], /CaUsedAsEndEntity/],
  // The usual `openssl req -x509` certificate given as its own --cacert: curl accepts it, rustls
  // refuses a CA used as the server's own certificate; the line says what to do instead.
  [
    "self-signed and given to --cacert",
    certs.selfSigned,
    ["--cacert", `${certs.dir}/self.crt`],
    /CaUsedAsEndEntity\)\): the server's certificate is a CA certificate \(CA:TRUE\) used as its own.*give that CA to --cacert, or use --insecure/,
  ],
  ["expired", certs.expired, ["--cacert", certs.caFile], /certificate expired/],
  [
    "for another name",
    certs.otherName,
    ["--cacert", certs.caFile],
    /not valid for name "127\.0\.0\.1"/,
  ],
];

for (const [fault, pair, trust, why] of refusals) {
  Deno.test(`without --insecure, a certificate ${fault} fails every request with reason tls and a line that says why`, async () => {
    const server = tlsServer(pair);
    try {
      const { json } = await runJson([server.url, "-n", "5", "-c", "1", ...trust]);
      assertEquals(json.errors, { tls: 5 });
      assert(why.test(json.error_messages.tls), json.error_messages.tls);
      const text = await salvo(["run", server.url, "-n", "5", "-c", "1", ...trust]);
      const line = text.stdout.split("\n").find((l) => l.startsWith("  why        tls: "));
      assert(line !== undefined && why.test(line), text.stdout);
      assertEquals(server.count(), 0);
    } finally {
      await server.stop();
    }
  });
}

Deno.test("the certificates made for these tests are removed afterwards", async () => {
  await Deno.remove(certs.dir, { recursive: true });
});
