// Refuses, before any request, an output named twice or an output that is one of the inputs: the
// second writer would destroy what the first wrote, or the run would overwrite what it reads.
import * as Effect from "effect/Effect";
import { UsageError } from "../domain/errors.ts";

/** A path a flag names; "-" (stdin or stdout) and absent paths are left out. */
export interface NamedPath {
  readonly flag: string;
  readonly path: string | undefined;
  readonly role: "input" | "output";
}

/**
 * What a path is on this machine: the file's device and inode when it exists (links and other
 * spellings of one file agree), else its absolute path with the directory's own links resolved.
 */
const identity = (path: string): string => {
  try {
    const s = Deno.statSync(path);
    if (s.dev !== null && s.ino !== null && s.ino !== 0) return `inode:${s.dev}:${s.ino}`;
  } catch { /* not there yet */ }
  const absolute = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  const slash = absolute.lastIndexOf("/");
  const dir = absolute.slice(0, slash) || "/";
  try {
    return `path:${Deno.realPathSync(dir)}/${absolute.slice(slash + 1)}`;
  } catch {
    return `path:${absolute}`;
  }
};

/**
 * The first clash among `paths` (or an empty path), as the line salvo prints; undefined when every
 * output is its own.
 */
export const clash = (paths: ReadonlyArray<NamedPath>): string | undefined => {
  const seen: Array<NamedPath & { readonly id: string }> = [];
  for (const p of paths) {
    if (p.path === "") return `${p.flag}: an empty path names no file`;
    if (p.path === undefined || p.path === "-") continue;
    const id = identity(p.path);
    const other = seen.find((s) => s.id === id && (s.role === "output" || p.role === "output"));
    if (other !== undefined) {
      return other.role === "input" || p.role === "input"
        ? `${(p.role === "output" ? p : other).flag} would overwrite ${
          (p.role === "input" ? p : other).flag
        } (${p.path}), which salvo reads: write the output elsewhere`
        : `${other.flag} and ${p.flag} name the same file (${p.path}): give each output its own file`;
    }
    seen.push({ ...p, id });
  }
  return undefined;
};

/** `clash` as a usage error (exit 2). */
export const refuseClash = (paths: ReadonlyArray<NamedPath>): Effect.Effect<void, UsageError> =>
  Effect.suspend(() => {
    const message = clash(paths);
    return message === undefined
      ? Effect.void
      : Effect.fail(new UsageError({ reason: "file", message }));
  });
