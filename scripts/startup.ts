// Start-up: median of cold starts of the bundle (`--version`, `--help`) against Deno's hello world in
// the same run, and how long after the process starts its first request reaches a server.
//
//   npx -y deno@2.9.6 task bundle && npx -y deno@2.9.6 run -A scripts/startup.ts [ROUNDS]
import { permissions, v8Flags } from "./build.ts";

const rounds = Number(Deno.args[0] ?? 10);
const deno = Deno.execPath();
const bundle = new URL("../dist/salvo.js", import.meta.url).pathname;
// What the compiled binary bakes in: its permissions and its V8 flags.
const perms = [...permissions, v8Flags];
const hello = await Deno.makeTempFile({ suffix: ".js" });
await Deno.writeTextFile(hello, 'console.log("hello");\n');

const timed = async (args: string[]): Promise<number> => {
  const t = performance.now();
  const out = await new Deno.Command(deno, { args, stdout: "null", stderr: "null" }).output();
  if (!out.success) throw new Error(`failed: ${args.join(" ")}`);
  return performance.now() - t;
};

let firstRequestAt = 0;
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
  if (firstRequestAt === 0) firstRequestAt = performance.now();
  return new Response("ok");
});
const url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`;

const samples: Record<string, number[]> = {
  hello: [],
  version: [],
  help: [],
  "first request": [],
  "first, -t 2": [],
};
for (let i = 0; i < rounds; i++) {
  // Alternating, so that the machine's noise falls on all of them alike.
  samples.hello!.push(await timed(["run", hello]));
  samples.version!.push(await timed(["run", ...perms, bundle, "--version"]));
  samples.help!.push(await timed(["run", ...perms, bundle, "--help"]));
  firstRequestAt = 0;
  const started = performance.now();
  await timed(["run", ...perms, bundle, "run", url, "-n", "1", "-q"]);
  samples["first request"]!.push(firstRequestAt - started);
  // Two load threads: each Worker loads the bundle before the first request goes out.
  firstRequestAt = 0;
  const threaded = performance.now();
  await timed(["run", ...perms, bundle, "run", url, "-n", "2", "-c", "2", "-t", "2", "-q"]);
  samples["first, -t 2"]!.push(firstRequestAt - threaded);
}
await server.shutdown();
await Deno.remove(hello);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(samples.hello!);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(
    `${name.padEnd(14)} median ${m.toFixed(0).padStart(4)} ms${
      name === "hello" || name.startsWith("first")
        ? ""
        : `  (${(m / base).toFixed(1)}× hello world)`
    }`,
  );
}
