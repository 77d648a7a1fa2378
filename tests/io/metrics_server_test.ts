// The scrape endpoint on loopback: GET and HEAD /metrics answer the latest text and count as scrapes; any other path or method is a 404 naming /metrics; a taken port is said in words.
import { listen, listenProblem } from "../../src/io/metrics_server.ts";
import { assertEquals } from "../assert.ts";

Deno.test("metrics server: GET and HEAD /metrics are scrapes of the latest text; other paths and methods are a 404 that says where to look", async () => {
  let n = 0;
  const s = listen("127.0.0.1", 0, "text/plain; version=0.0.4", () => `salvo_up ${++n}\n`);
  try {
    const get = async (path: string, method = "GET") => {
      const res = await fetch(s.url.replace("/metrics", path), { method });
      return [res.status, res.headers.get("content-type"), await res.text()];
    };
    assertEquals(await get("/metrics"), [200, "text/plain; version=0.0.4", "salvo_up 1\n"]);
    assertEquals(await get("/metrics", "HEAD"), [200, "text/plain; version=0.0.4", ""]);
    const notHere = [404, "text/plain;charset=UTF-8", "salvo serves its metrics at /metrics\n"];
    assertEquals(await get("/"), notHere);
    assertEquals(await get("/metrics", "POST"), notHere);
    assertEquals(s.scrapes(), 2);
  } finally {
    await s.close();
  }
});

Deno.test("metrics server: a port already taken is refused, in words", async () => {
  const s = listen("127.0.0.1", 0, "text/plain", () => "");
  try {
    const port = Number(new URL(s.url).port);
    let problem = "";
    try {
      await listen("127.0.0.1", port, "text/plain", () => "").close();
    } catch (e) {
      problem = listenProblem(e);
    }
    assertEquals(problem, "the port is in use");
  } finally {
    await s.close();
  }
});
