// nginx from Debian as a test server: started in a temporary folder on free loopback ports, each server counting what it answered.
//
// The configuration names only paths under that folder (its error log too, by -e), so nothing of
// the machine's own nginx is read or written.

import { assertEquals } from "../assert.ts";
import { type Json, runJson } from "./support.ts";

export interface Nginx {
  readonly dir: string;
  /** Requests a server answered: the lines of its access log. */
  count(log: string): Promise<number>;
  /** Empties every access log. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** A test that leaves the nginx of its file running for the next one. */
export const nginxTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeResources: false, sanitizeOps: false });

/**
 * Runs `salvo run ARGS -o json -q` and checks that every request succeeded and that the server
 * logging to `log` counted each once; returns the JSON summary.
 */
export const exact = async (nginx: Nginx, log: string, args: string[]): Promise<Json> => {
  await nginx.reset();
  const { code, json } = await runJson(args);
  const served = await nginx.count(log);
  assertEquals(code, 0, JSON.stringify(json.errors));
  assertEquals(json.errors, {});
  assertEquals(json.requests, served);
  assertEquals(json.successes, served);
  return json;
};

/** A loopback port nobody listens on now. */
export const freePort = (): number => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
};

/**
 * Starts nginx with `servers` (server blocks; `$DIR` stands for the folder, where each names its
 * access log, `$DIR/NAME.log`) and waits until every `ports` entry accepts connections.
 */
export const startNginx = async (
  servers: (dir: string) => string,
  ports: ReadonlyArray<number>,
  logs: ReadonlyArray<string>,
): Promise<Nginx> => {
  const dir = await Deno.makeTempDir({ prefix: "salvo-nginx-" });
  await Deno.mkdir(`${dir}/tmp`);
  // One process, no master: a test that dies, however it dies, leaves no orphaned worker serving on.
  const conf = `master_process off;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  client_body_temp_path ${dir}/tmp;
  proxy_temp_path ${dir}/tmp;
  fastcgi_temp_path ${dir}/tmp;
  uwsgi_temp_path ${dir}/tmp;
  scgi_temp_path ${dir}/tmp;
  log_format count "$status";
${servers(dir)}
}
`;
  await Deno.writeTextFile(`${dir}/nginx.conf`, conf);
  for (const log of logs) await Deno.writeTextFile(`${dir}/${log}.log`, "");
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("nginx", {
      args: ["-e", `${dir}/error.log`, "-p", dir, "-c", `${dir}/nginx.conf`],
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw e instanceof Deno.errors.NotFound
      ? new Error("the HTTP/2 tests run nginx: apt-get install -y nginx")
      : e;
  }
  // A test file that stops early (a failure under --fail-fast, a --filter) never reaches its stop.
  const onUnload = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  globalThis.addEventListener("unload", onUnload);
  for (const port of ports) {
    for (let i = 0;; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        break;
      } catch (e) {
        if (i > 100) throw new Error(`nginx did not listen on ${port}: ${e}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
  const lines = async (log: string) =>
    (await Deno.readTextFile(`${dir}/${log}.log`)).split("\n").filter((l) => l !== "").length;
  return {
    dir,
    // nginx writes each line as the request ends; a moment lets the last ones land.
    count: async (log) => {
      let n = await lines(log);
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 25));
        const again = await lines(log);
        if (again === n && i >= 2) break;
        n = again;
      }
      return n;
    },
    reset: async () => {
      for (const log of logs) await Deno.writeTextFile(`${dir}/${log}.log`, "");
    },
    stop: async () => {
      globalThis.removeEventListener("unload", onUnload);
      child.kill("SIGTERM");
      await child.status;
      await child.stderr.cancel().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
};
