// Users from a data file (each row once), a helper module that logs them in, a group timed as one step, think time and a per-step threshold.
//
//   salvo serve --port 8080 &
//   salvo run examples/scenarios/shop.ts --data examples/scenarios/users.json -t 2
import type { Options, User } from "../../src/domain/scenario_api.ts";
import { logIn } from "./lib/auth.ts";

export const options: Options = {
  baseUrl: "http://127.0.0.1:8080",
  concurrency: 4,
  duration: "10s",
  dataOrder: "round-robin",
  threshold: ["log in: p99<500ms", "checks>=99%"],
};

type Row = { user: string; password: string };

export default async (u: User<unknown, Row>) => {
  const auth = await logIn(u, u.data!.user, u.data!.password);
  if (auth === undefined) return;
  await u.group("browse", async () => {
    await u.get("/items", { headers: auth });
    await u.sleep(5);
    await u.get("/items", { headers: auth });
  });
  const made = await u.post("/items", { headers: auth, json: { name: "basket" } });
  u.check(made, { "basket made": (r) => r.status === 201 });
};
