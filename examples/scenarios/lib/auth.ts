// A helper a scenario imports: log a user in and give back the headers its later requests carry.
import type { User } from "../../../src/domain/scenario_api.ts";

export const logIn = async (u: User, user: string, password: string) => {
  const r = await u.post("/login", { name: "log in", json: { user, password } });
  if (!u.check(r, { "logged in": (x) => x.status === 200 })) return undefined;
  return { Authorization: `Bearer ${r.json<{ token: string }>().token}` };
};
