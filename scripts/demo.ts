// The README's first command: a real 5 s load test of the built-in target, then the target's own count.
const deno = Deno.execPath();
const root = new URL("../", import.meta.url);

const serve = new Deno.Command(deno, {
  args: ["run", "-A", "src/main.ts", "serve", "--port", "0", "--latency", "2ms"],
  cwd: root,
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = serve.stdout.getReader();
let banner = "";
while (!banner.includes("\n")) {
  const { value, done } = await reader.read();
  if (done) Deno.exit(3);
  banner += new TextDecoder().decode(value);
}
reader.releaseLock();
const url = /listening on (\S+)/.exec(banner)![1]!;
console.log(
  // The target holds each request on a 2 ms timer, which fires a millisecond or more late: salvo and
  // wrk both measure 3.4–3.6 ms on a 2-core machine.
  `built-in target at ${url} (holds each request on a 2 ms timer: about 3–4 ms in all)\n` +
    `$ salvo run ${url}/health -c 8 -d 5s\n`,
);

const run = await new Deno.Command(deno, {
  args: ["run", "-A", "src/main.ts", "run", `${url}/health`, "-c", "8", "-d", "5s"],
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
}).output();
const stats = await (await fetch(`${url}/__salvo/stats`)).json();
console.log(`\nthe target counted ${stats.requests} requests`);
serve.kill("SIGTERM");
await serve.status;
await serve.stdout.cancel().catch(() => {});
Deno.exit(run.code);
