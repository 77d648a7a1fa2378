// The built-in target's small stateful API, for multi-step flows (log in, take the token, use it):
//
//   POST /login        {"user": "…", "password": "salvo"} → 200 {"token": "…"} and a session cookie;
//                      another password 401, a body that is not such JSON 400
//   GET  /items        the caller's items → 200 [{"id", "name"}]
//   POST /items        {"name": "…"} → 201 {"id", "name"}
//   GET  /items/ID     → 200 {"id", "name"} when the caller created it; 403 another user's, 404 none
//
// Item routes need the token, as `Authorization: Bearer TOKEN` or the `session` cookie: 401 without
// it. Every route is counted by name (`routes` in /__salvo/stats), and each read of another user's
// item too (`wrong_owner`): a flow that mixes up its users' tokens shows there. `users` counts the
// names that logged in and `repeat_logins` the logins of a name seen before.

export const password = "salvo";

/** Route names as /__salvo/stats counts them. */
export type Route = "POST /login" | "GET /items" | "POST /items" | "GET /items/:id";

interface Item {
  readonly id: number;
  readonly name: string;
  readonly owner: string;
}

/** Most items kept; beyond, POST /items answers 507. */
const maxItems = 1_000_000;

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers });

/** The route of a method and path, or undefined for any other (the plain "ok" target). */
export const routeOf = (method: string, path: string): Route | undefined => {
  if (path === "/login") return method === "POST" ? "POST /login" : undefined;
  if (path === "/items") {
    return method === "GET" ? "GET /items" : method === "POST" ? "POST /items" : undefined;
  }
  return method === "GET" && /^\/items\/\d{1,15}$/.test(path) ? "GET /items/:id" : undefined;
};

export class Api {
  readonly counts = new Map<Route, number>();
  wrongOwner = 0;
  /** Successful logins per user name: a flow that deals each user once shows each once. */
  private readonly logins = new Map<string, number>();
  private readonly tokens = new Map<string, string>();
  private readonly items: Item[] = [];
  private readonly byOwner = new Map<string, Item[]>();
  private issued = 0;

  /** The caller's user, from the bearer token or the session cookie. */
  private userOf(req: Request): string | undefined {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    const cookie = /(?:^|;\s*)session=([^;\s]+)/.exec(req.headers.get("cookie") ?? "")?.[1];
    return this.tokens.get(bearer ?? cookie ?? "");
  }

  private static async body(req: Request): Promise<Record<string, unknown> | undefined> {
    try {
      const v = await req.json();
      return typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /** Answers a request on `route`. */
  async answer(route: Route, req: Request, path: string): Promise<Response> {
    this.counts.set(route, (this.counts.get(route) ?? 0) + 1);
    if (route === "POST /login") {
      const b = await Api.body(req);
      if (typeof b?.user !== "string" || b.user === "" || typeof b.password !== "string") {
        return json({ error: 'send {"user": "…", "password": "…"}' }, 400);
      }
      if (b.password !== password) return json({ error: "wrong credentials" }, 401);
      this.logins.set(b.user, (this.logins.get(b.user) ?? 0) + 1);
      const token = `t${++this.issued}.${crypto.randomUUID()}`;
      this.tokens.set(token, b.user);
      return json({ token }, 200, { "set-cookie": `session=${token}; Path=/; HttpOnly` });
    }
    const user = this.userOf(req);
    if (user === undefined) return json({ error: "log in first: POST /login" }, 401);
    if (route === "GET /items") {
      return json((this.byOwner.get(user) ?? []).map(({ id, name }) => ({ id, name })));
    }
    if (route === "POST /items") {
      const b = await Api.body(req);
      if (typeof b?.name !== "string") return json({ error: 'send {"name": "…"}' }, 400);
      if (this.items.length >= maxItems) return json({ error: "the target is full" }, 507);
      const item = { id: this.items.length + 1, name: b.name, owner: user };
      this.items.push(item);
      const mine = this.byOwner.get(user);
      if (mine === undefined) this.byOwner.set(user, [item]);
      else mine.push(item);
      return json({ id: item.id, name: item.name }, 201);
    }
    const item = this.items[Number(path.slice("/items/".length)) - 1];
    if (item === undefined) return json({ error: "no such item" }, 404);
    if (item.owner !== user) {
      this.wrongOwner++;
      return json({ error: "another user's item" }, 403);
    }
    return json({ id: item.id, name: item.name });
  }

  /**
   * What /__salvo/stats adds: each route's count, reads of another user's item, the users who logged
   * in, and the logins of a user who had logged in before.
   */
  stats(): {
    routes: Record<string, number>;
    wrong_owner: number;
    users: number;
    repeat_logins: number;
  } {
    let logins = 0;
    for (const n of this.logins.values()) logins += n;
    return {
      routes: Object.fromEntries(this.counts),
      wrong_owner: this.wrongOwner,
      users: this.logins.size,
      repeat_logins: logins - this.logins.size,
    };
  }
}
