// A headless Chromium driven over the DevTools protocol (Deno's own WebSocket; no puppeteer): opens a
// page offline, records console errors, exceptions and every request, evaluates, takes screenshots.
// Used by the HTML report's tests and by scripts/docs_images.ts.

export interface Page {
  /** Console errors, uncaught exceptions and error log entries seen so far. */
  readonly errors: string[];
  /** Every URL the page asked for, its own included. */
  readonly requests: string[];
  /** Milliseconds from the navigation to the load event. */
  readonly loadMs: number;
  evaluate<T>(expression: string): Promise<T>;
  screenshot(): Promise<Uint8Array>;
}

const browserPath = (): string => {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
      try {
        Deno.statSync(`${dir}/${name}`);
        return `${dir}/${name}`;
      } catch { /* not here */ }
    }
  }
  throw new Error("no chromium on PATH (Debian: apt-get install chromium)");
};

/**
 * Opens `url` in a fresh headless browser with the network off (offline emulation, every host
 * unresolvable, a dead proxy), calls `use` with the loaded page, then closes the browser.
 */
export const withPage = async <T>(
  url: string,
  size: { width: number; height: number },
  use: (page: Page) => Promise<T>,
): Promise<T> => {
  const profile = await Deno.makeTempDir();
  const child = new Deno.Command(browserPath(), {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-extensions",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "--proxy-server=127.0.0.1:9",
      "--host-resolver-rules=MAP * ~NOTFOUND",
      `--window-size=${size.width},${size.height}`,
      "about:blank",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let ws: WebSocket | undefined;
  try {
    const endpoint = await devtoolsEndpoint(child.stderr);
    ws = new WebSocket(endpoint);
    await new Promise((resolve, reject) => {
      ws!.onopen = resolve;
      ws!.onerror = () => reject(new Error(`cannot connect to ${endpoint}`));
    });
    const cdp = new Session(ws);
    const { targetId } = await cdp.send<{ targetId: string }>("Target.createTarget", {
      url: "about:blank",
    });
    const { sessionId } = await cdp.send<{ sessionId: string }>("Target.attachToTarget", {
      targetId,
      flatten: true,
    });
    const send = <R>(method: string, params: Record<string, unknown> = {}) =>
      cdp.send<R>(method, params, sessionId);
    const errors: string[] = [];
    const requests: string[] = [];
    cdp.on("Runtime.consoleAPICalled", (p) => {
      if (p.type === "error") errors.push(`console.error: ${JSON.stringify(p.args)}`);
    });
    cdp.on("Runtime.exceptionThrown", (p) => errors.push(`exception: ${JSON.stringify(p)}`));
    cdp.on("Log.entryAdded", (p) => {
      if (p.entry?.level === "error") errors.push(`log: ${p.entry.text} ${p.entry.url ?? ""}`);
    });
    cdp.on("Network.requestWillBeSent", (p) => requests.push(p.request.url));
    for (const domain of ["Page", "Runtime", "Log", "Network"]) await send(`${domain}.enable`);
    await send("Network.emulateNetworkConditions", {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await send("Emulation.setDeviceMetricsOverride", {
      width: size.width,
      height: size.height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    // The page's own policy forbids images; the pixel check draws each chart into a canvas through one
    // (a blob: URL: a data: URL of a large chart makes an event too big for the protocol's socket).
    await send("Page.setBypassCSP", { enabled: true });
    const loaded = cdp.once("Page.loadEventFired");
    const started = performance.now();
    await send("Page.navigate", { url });
    await loaded;
    const loadMs = performance.now() - started;
    const page: Page = {
      errors,
      requests,
      loadMs,
      evaluate: async <R>(expression: string) => {
        const r = await send<{ result: { value: R }; exceptionDetails?: unknown }>(
          "Runtime.evaluate",
          { expression, returnByValue: true, awaitPromise: true },
        );
        if (r.exceptionDetails !== undefined) {
          throw new Error(`evaluate failed: ${JSON.stringify(r.exceptionDetails)}`);
        }
        return r.result.value;
      },
      screenshot: async () => {
        const r = await send<{ data: string }>("Page.captureScreenshot", {
          format: "png",
          captureBeyondViewport: true,
        });
        return Uint8Array.from(atob(r.data), (c) => c.charCodeAt(0));
      },
    };
    return await use(page);
  } finally {
    ws?.close();
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
};

/** Reads Chromium's stderr until it names its DevTools WebSocket; keeps draining it after. */
const devtoolsEndpoint = async (stderr: ReadableStream<Uint8Array>): Promise<string> => {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
    const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
    if (m !== null) {
      (async () => {
        while (!(await reader.read()).done) { /* drain */ }
      })().catch(() => {});
      return m[1]!;
    }
  }
  throw new Error(`chromium did not start:\n${seen.slice(-2000)}`);
};

// deno-lint-ignore no-explicit-any
type Params = any;

class Session {
  private next = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private readonly listeners = new Map<string, Array<(p: Params) => void>>();

  constructor(private readonly ws: WebSocket) {
    // A closed connection fails what waits on it, rather than leaving it pending forever.
    ws.onclose = (e) => {
      for (const p of this.pending.values()) {
        p.reject(new Error(`the browser's connection closed (${e.code})`));
      }
      this.pending.clear();
    };
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (m.id !== undefined) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error !== undefined) p?.reject(new Error(`${m.error.message} (${m.error.code})`));
        else p?.resolve(m.result);
      } else {
        for (const f of this.listeners.get(m.method) ?? []) f(m.params);
      }
    };
  }

  send<R>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<R> {
    if (this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error(`${method}: the browser's connection is closed`));
    }
    const id = this.next++;
    this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) =>
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
    );
  }

  on(method: string, f: (p: Params) => void): void {
    this.listeners.set(method, [...(this.listeners.get(method) ?? []), f]);
  }

  once(method: string): Promise<Params> {
    return new Promise((resolve) => this.on(method, resolve));
  }
}
