// A four-step flow against `salvo serve`: log in, list my items, create one, read it back with my token.
//
//   salvo serve --port 8080 &
//   salvo run examples/scenarios/flow.ts -c 8 -d 3s
// Your own scenario imports the file `salvo types > salvo.d.ts` writes; this one, kept in salvo's
// repository, imports the same types from their source.
import type { Options, User } from "../../src/domain/scenario_api.ts";

export const options: Options = {
  baseUrl: "http://127.0.0.1:8080",
  concurrency: 8,
  duration: "3s",
};

export default async (u: User) => {
  // Each user logs in once and keeps its token for its next iterations.
  if (u.state.token === undefined) {
    const login = await u.post("/login", { json: { user: `user${u.index}`, password: "salvo" } });
    if (!u.check(login, { "logged in": (r) => r.status === 200 })) return;
    u.state.token = login.json<{ token: string }>().token;
  }
  const auth = { Authorization: `Bearer ${u.state.token}` };
  const list = await u.get("/items", { headers: auth });
  u.check(list, { "list is 200": (r) => r.status === 200 });
  const created = await u.post("/items", { headers: auth, json: { name: `item ${u.iteration}` } });
  if (!u.check(created, { "created": (r) => r.status === 201 })) return;
  const { id } = created.json<{ id: number }>();
  const read = await u.get(`/items/${id}`, { headers: auth });
  u.check(read, {
    "read back my item": (r) => r.status === 200 && r.json<{ id: number }>().id === id,
  });
};
