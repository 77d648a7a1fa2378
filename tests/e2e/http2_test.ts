// HTTP/2 against nginx: cleartext (prior knowledge) and TLS (ALPN), one and ten streams, GOAWAY mid-run, a unix socket, bodies under flow control.
import { makeCerts } from "./certs.ts";
import { exact as exactAt, freePort, nginxTest, startNginx } from "./nginx.ts";
import { contended, entry, runJson, salvo } from "./support.ts";
import { assert, assertEquals } from "../assert.ts";

const certs = await makeCerts();
const h2c = freePort(), tls = freePort(), goaway = freePort(), h1tls = freePort();
const narrow = freePort();
const nginx = await startNginx(
  (dir) => `
  server {
    listen 127.0.0.1:${h2c} http2;
    access_log ${dir}/h2c.log count;
    location / { return 200 "ok\\n"; }
  }
  server {
    listen unix:${dir}/h2c.sock http2;
    access_log ${dir}/sock.log count;
    location / { return 200 "ok\\n"; }
  }
  server {
    listen 127.0.0.1:${tls} ssl http2;
    ssl_certificate ${certs.dir}/valid.crt;
    ssl_certificate_key ${certs.dir}/valid.key;
    access_log ${dir}/tls.log count;
    location / { return 200 "ok\\n"; }
  }
  server {
    # GOAWAY after every 50 streams of a connection.
    listen 127.0.0.1:${goaway} http2;
    keepalive_requests 50;
    access_log ${dir}/goaway.log count;
    location / { return 200 "ok\\n"; }
  }
  server {
    # At most 8 streams at once per connection (nginx's default is 128).
    listen 127.0.0.1:${narrow} http2;
    http2_max_concurrent_streams 8;
    access_log ${dir}/narrow.log count;
    location / { return 200 "ok\\n"; }
  }
  server {
    listen 127.0.0.1:${h1tls} ssl;
    ssl_certificate ${certs.dir}/valid.crt;
    ssl_certificate_key ${certs.dir}/valid.key;
    access_log ${dir}/h1tls.log count;
    location / { return 200 "ok\\n"; }
  }`,
  [h2c, tls, goaway, h1tls, narrow],
  ["h2c", "sock", "tls", "goaway", "h1tls", "narrow"],
);

const test = nginxTest;
const exact = (log: string, args: string[]) => exactAt(nginx, log, args);

for (const m of [1, 10]) {
  test(`--h2c -m ${m}: requests by -n = what nginx counted, -c × -m in flight`, async () => {
    const json = await exact("h2c", [
      `http://127.0.0.1:${h2c}/`,
      "--h2c",
      "-m",
      String(m),
      "-c",
      "4",
      "-n",
      "3000",
      "-t",
      "1",
    ]);
    assertEquals(json.requests, 3000);
    assertEquals(json.status_codes, { "200": 3000 });
    assertEquals([json.request.protocol, json.request.streams], ["HTTP/2", m]);
  });

  test(`--http2 -m ${m} over TLS (ALPN, --cacert): requests by duration = what nginx counted`, async () => {
    const json = await exact("tls", [
      `https://localhost:${tls}/`,
      "--http2",
      "--cacert",
      certs.caFile,
      "-m",
      String(m),
      "-c",
      "3",
      "-d",
      "1s",
    ]);
    assert(json.requests > 100, `only ${json.requests}`);
  });
}

test("--http2 with --insecure, and with --connect-to: TLS by ALPN either way, counted exactly", async () => {
  // No --cacert: the private CA is unknown, so only skipping verification connects.
  await exact("tls", [
    `https://localhost:${tls}/`,
    "--http2",
    "--insecure",
    "-m",
    "5",
    "-n",
    "500",
  ]);
  await exact("tls", [
    `https://localhost:${tls}/`,
    "--http2",
    "--cacert",
    certs.caFile,
    "--connect-to",
    `127.0.0.1:${tls}`,
    "-m",
    "5",
    "-n",
    "500",
  ]);
});

test("-m 300, above nginx's 128 streams at once: the rest wait their turn, none refused, counted exactly", async () => {
  const json = await exact("h2c", [
    `http://127.0.0.1:${h2c}/`,
    "--h2c",
    "-m",
    "300",
    "-c",
    "1",
    "-n",
    "3000",
    "-t",
    "1",
  ]);
  assertEquals(json.requests, 3000);
});

test("GOAWAY every 50 streams: nothing lost or counted twice, across threads", async () => {
  const json = await exact("goaway", [
    `http://127.0.0.1:${goaway}/`,
    "--h2c",
    "-m",
    "10",
    "-c",
    "3",
    "-n",
    "4000",
    "-t",
    "2",
  ]);
  // 80 connections' worth: each ended by GOAWAY, the streams above its last id sent again.
  assertEquals(json.requests, 4000);
});

test("GOAWAY by duration, open model: what was sent = what nginx counted", async () => {
  const json = await exact("goaway", [
    `http://127.0.0.1:${goaway}/`,
    "--h2c",
    "-m",
    "8",
    "--rate",
    "2000",
    "-d",
    "1s",
  ]);
  assert(Math.abs(json.requests - 2000) <= 2, `sent ${json.requests}`);
});

test("--unix-socket with --h2c: counted exactly", async () => {
  await exact("sock", [
    `http://localhost/`,
    "--h2c",
    "--unix-socket",
    `${nginx.dir}/h2c.sock`,
    "-m",
    "10",
    "-n",
    "2000",
  ]);
});

test("a 200 kB body goes under flow control: each request answered, counted once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/body`, new Uint8Array(200_000).fill(97));
    await exact("h2c", [
      `http://127.0.0.1:${h2c}/`,
      "--h2c",
      "-X",
      "POST",
      "--body-file",
      `${dir}/body`,
      "-m",
      "4",
      "-c",
      "2",
      "-n",
      "200",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("--http2 to a server that does not offer h2: every request fails as protocol_error, one line says why", async () => {
  await nginx.reset();
  const r = await salvo([
    "run",
    `https://localhost:${h1tls}/`,
    "--http2",
    "--cacert",
    certs.caFile,
    "-n",
    "20",
    "-c",
    "2",
  ]);
  // Failures are data: without a --threshold the run itself succeeds.
  assertEquals(r.code, 0, r.stderr);
  assert(r.stdout.includes("errors     protocol_error ×20"), r.stdout);
  // nginx without http2 on the listener answers ALPN with no protocol at all.
  assert(r.stdout.includes("did not agree to HTTP/2 (TLS ALPN chose nothing)"), r.stdout);
  assertEquals(await nginx.count("h1tls"), 0);
});

test("bad HTTP/2 input: one line on stderr, exit 2", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["http://127.0.0.1:1/", "--http2"], /--http2 .*https:\/\/ URL/],
    [["https://127.0.0.1:1/", "--h2c"], /--h2c .*http:\/\/ URL/],
    [
      ["http://127.0.0.1:1/", "--h2c", "-m", "0"],
      /--streams: '0' must be a whole number of at least 1/,
    ],
    [["http://127.0.0.1:1/", "-m", "4"], /-m .* needs --http2 or --h2c/],
    [["http://127.0.0.1:1/", "--h2c", "--http2"], /give one/],
    [["http://127.0.0.1:1/", "--h2c", "--no-keepalive"], /HTTP\/2 multiplexes/],
    [["http://127.0.0.1:1/", "--h2c", "--unix-socket", `${nginx.dir}/none.sock`], /no socket at/],
  ];
  for (const [args, message] of cases) {
    const r = await salvo(["run", ...args, "-n", "1"]);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert(message.test(r.stderr), `${args.join(" ")}: ${r.stderr}`);
  }
});

test("Ctrl-C in an HTTP/2 run on 2 threads: exit 130, results whole, lines = requests = nginx's count", async () => {
  await nginx.reset();
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/results.ndjson`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", entry, "run", `http://127.0.0.1:${h2c}/`, "--h2c", "-m", "10", "-c", "2"]
        .concat(["-t", "2", "-d", "20s", "--results", file, "-o", "json", "-q"]),
      cwd: new URL("../../", import.meta.url),
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Ctrl-C once the load is under way (a busy machine may take seconds to start it): 200 lines.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const lines = await Deno.readTextFile(file).then((t) => t.split("\n").length, () => 0);
      if (lines > 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    const out = await child.output();
    assertEquals(out.code, 130, new TextDecoder().decode(out.stderr));
    const summary = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(summary.interrupted, true);
    const text = await Deno.readTextFile(file);
    assert(text.endsWith("\n"), "the file ends with a whole line");
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert(lines.length > 100, `only ${lines.length}`);
    assertEquals(lines.length, summary.requests);
    assertEquals(summary.requests, await nginx.count("h2c"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("a stream past --timeout is cancelled alone: the connection carries on, every request counted", async () => {
  // Deno.serve speaks HTTP/2 by ALPN; every 10th request it answers a second late.
  let served = 0;
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: certs.valid.cert,
    key: certs.valid.key,
    onListen: () => {},
  }, async () => {
    if (++served % 10 === 0) await new Promise((r) => setTimeout(r, 1000));
    return new Response("ok");
  });
  try {
    const { json } = await runJson([
      `https://localhost:${(server.addr as Deno.NetAddr).port}/`,
      "--http2",
      "--cacert",
      certs.caFile,
      "-m",
      "5",
      "-c",
      "2",
      "-n",
      "200",
      "-t",
      "1",
      "--timeout",
      "500ms",
    ]);
    assertEquals(json.requests, 200);
    assertEquals(served, 200);
    // The 20 late ones time out; on a machine someone else holds, a prompt one may be late too.
    const timeouts = json.errors.timeout;
    assertEquals(Object.keys(json.errors), ["timeout"]);
    assertEquals(json.status_codes, { "200": 200 - timeouts });
    if (contended(json)) assert(timeouts >= 20, `${timeouts} timeouts`);
    else assertEquals(timeouts, 20);
  } finally {
    await server.shutdown();
  }
});

test("-m above the server's stream limit: the streams used are the server's, the wait for one is queue_ms, not latency, and a warning says so", async () => {
  const url = `http://127.0.0.1:${narrow}/`;
  const within = await exact("narrow", [
    url,
    "--h2c",
    "-c",
    "2",
    "-m",
    "8",
    "-n",
    "4000",
    "-t",
    "1",
  ]);
  assertEquals(within.queue_ms, undefined);
  assertEquals(within.warnings, []);
  const above = await exact("narrow", [
    url,
    "--h2c",
    "-c",
    "2",
    "-m",
    "50",
    "-n",
    "4000",
    "-t",
    "1",
  ]);
  assertEquals([above.request.streams, above.request.server_max_streams], [8, 8]);
  // 100 workers on 16 streams: most of them wait for one, each wait timed apart.
  assert(above.queue_ms.count > 2000, JSON.stringify(above.queue_ms));
  assert(above.queue_ms.p50 > 0, JSON.stringify(above.queue_ms));
  assertEquals(above.warnings.length, 1);
  assert(
    /-m 50 is above the server's limit of 8 streams/.test(above.warnings[0]),
    above.warnings[0],
  );
  // Latency from each stream's start, as h2load measures: what the server took, not the queue.
  // (Timed from the worker's send, the p50 would be ~6× the wait-free run's: 100 workers, 16 streams.)
  assert(
    above.latency_ms.p50 <= within.latency_ms.p50 * 2 + 0.5,
    `p50 ${above.latency_ms.p50} with the queue, ${within.latency_ms.p50} without`,
  );
  const text = await salvo(["run", url, "--h2c", "-c", "2", "-m", "50", "-n", "2000", "-q"]);
  assert(
    text.stdout.includes("2 connections × 8 streams (-m 50; the server allows 8)"),
    text.stdout,
  );
  assert(/\n {2}queue +\d+ · p50 /.test(text.stdout), text.stdout);
  assert(text.stdout.includes("warning: -m 50 is above"), text.stdout);
});

test("stop nginx", async () => {
  await nginx.stop();
  await Deno.remove(certs.dir, { recursive: true });
});
