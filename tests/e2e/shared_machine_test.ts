// On a shared machine: the verdict names starvation by other work, never salvo's saturation, and the
// JSON carries the machine's own figures (busy and stolen time, salvo's waits for a CPU).
import { assert, assertEquals } from "../assert.ts";
import { type Json, runJson, startServe } from "./support.ts";

/** A busy loop on every core, as other jobs on a CI runner would be; stopped by the returned function. */
const hogEveryCore = (): () => Promise<void> => {
  const hogs = Array.from(
    { length: navigator.hardwareConcurrency },
    () =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", "for (;;) {}"],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn(),
  );
  return async () => {
    for (const h of hogs) h.kill("SIGKILL");
    await Promise.all(hogs.map((h) => h.status));
  };
};

/** The machine as the JSON reports it: busy (stolen included) and the most delayed thread's wait. */
const machine = (json: Json) => ({
  busy: json.host.busy_share + json.host.steal_share,
  wait: Math.max(...json.threads.map((t: Json) => t.wait_share)),
});

/** The demo's run: the built-in target answering after 2 ms, 8 workers for 5 s. */
const demoRun = async () => {
  const server = await startServe(["--latency", "2ms"]);
  try {
    const { code, json, stderr } = await runJson([`${server.url}/health`, "-c", "8", "-d", "5s"]);
    assertEquals(code, 0, stderr);
    assertEquals(json.requests, await server.count());
    return json;
  } finally {
    await server.stop();
  }
};

Deno.test("on Linux the JSON reports the machine: cores, busy and stolen time, salvo's waits for a CPU, per thread", async () => {
  if (Deno.build.os !== "linux") return;
  const server = await startServe();
  try {
    const { json } = await runJson([server.url, "-c", "2", "-d", "1s"]);
    assertEquals(json.host.cores, navigator.hardwareConcurrency);
    for (const k of ["busy_share", "steal_share", "others_share", "salvo_wait_ms"]) {
      assertEquals(typeof json.host[k], "number", k);
    }
    assert(json.host.busy_share > 0 && json.host.busy_share <= 1, String(json.host.busy_share));
    assert(Array.isArray(json.host.not_measured));
    for (const t of json.threads) {
      assertEquals(typeof t.wait_ms, "number");
      assert(t.wait_share >= 0 && t.wait_share <= 1, String(t.wait_share));
    }
  } finally {
    await server.stop();
  }
});

Deno.test("the demo without a hog is server-bound; under contention it may say starved, with the figures that show it, never client-saturated", async () => {
  const json = await demoRun();
  const { verdict, explanation } = json.diagnosis;
  assert(verdict !== "client-saturated", explanation);
  if (verdict === "server-bound") {
    // Named contention comes with the figures behind it.
    if (explanation.includes("starved")) {
      assert(machine(json).busy >= 0.85 || json.host.steal_share >= 0.05, explanation);
    }
  } else {
    assertEquals(verdict, "client-starved", explanation);
    assert(machine(json).busy >= 0.85 || json.host.steal_share >= 0.05, JSON.stringify(json.host));
  }
});

Deno.test("the demo with a busy loop on every core names starvation, never client-saturated, and the JSON shows the busy time", async () => {
  if (Deno.build.os !== "linux") return;
  const stop = hogEveryCore();
  let json: Json;
  try {
    json = await demoRun();
  } finally {
    await stop();
  }
  const { verdict, explanation } = json.diagnosis;
  assert(verdict === "client-starved" || verdict === "server-bound", explanation);
  assert(explanation.includes("starved of CPU"), explanation);
  const m = machine(json);
  assert(m.busy >= 0.85, `the machine was ${m.busy} busy: ${JSON.stringify(json.host)}`);
  assert(json.host.others_share >= 0.5, JSON.stringify(json.host));
  assert(m.wait >= 0.05, `salvo waited ${m.wait} of the run`);
});
