// Whole output files (--out, --junit): checked before the run, then written atomically or in place.
//
// A regular file (or a path that does not exist yet) is written to a temporary file beside it and
// renamed over it, so a reader never sees half a file. A symlink is followed: its target is replaced
// that way and the link itself is kept. A device, FIFO or socket (`/dev/stdout`, a named pipe) is
// written in place, never renamed over. A directory, or a directory salvo cannot write in, is refused.
import * as Effect from "effect/Effect";
import { RunError } from "../domain/errors.ts";
import { messageOf } from "../domain/thrown.ts";

/** What a path resolves to for writing: its final target and how to write it. */
interface Destination {
  readonly path: string;
  readonly how: "atomic" | "in-place";
  /** Permission bits of the regular file being replaced, kept on the new one. */
  readonly mode: number | undefined;
}

const dirOf = (path: string): string => {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
};

const absent = (e: unknown): boolean =>
  e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory;

const statOrUndefined = (path: string): Deno.FileInfo | undefined => {
  try {
    return Deno.statSync(path);
  } catch (e) {
    if (absent(e)) return undefined;
    throw e;
  }
};

/** Follows symlinks (a dangling one to the path it names) and says how to write what is at the end. */
const resolve = (path: string): Destination => {
  let target = path;
  for (let hops = 0; hops < 40; hops++) {
    let link: Deno.FileInfo;
    try {
      link = Deno.lstatSync(target);
    } catch (e) {
      // Absent, or under a path through a file: probeDirectory says which.
      if (absent(e)) return { path: target, how: "atomic", mode: undefined };
      throw e;
    }
    if (!link.isSymlink) {
      if (link.isDirectory) throw new Error("it is a directory");
      return link.isFile
        ? { path: target, how: "atomic", mode: link.mode ?? undefined }
        : { path: target, how: "in-place", mode: undefined };
    }
    const to = Deno.readLinkSync(target);
    target = to.startsWith("/") ? to : `${dirOf(target)}/${to}`;
  }
  throw new Error("too many levels of symbolic links");
};

/** Proves the directory takes a new file: creates one and removes it. */
const probeDirectory = (dir: string): void => {
  const info = statOrUndefined(dir);
  if (info === undefined) throw new Error(`the directory '${dir}' does not exist`);
  if (!info.isDirectory) throw new Error(`'${dir}' is not a directory`);
  let probe: string;
  try {
    probe = Deno.makeTempFileSync({ dir, prefix: ".salvo-probe-" });
  } catch (e) {
    throw new Error(
      `cannot create a file in '${dir}': ${
        e instanceof Error ? e.message.replace(/: \S+$/, "") : e
      }`,
    );
  }
  Deno.removeSync(probe);
};

const failure = (flag: string, path: string, e: unknown) =>
  new RunError({
    reason: "output",
    message: `${flag}: cannot write '${path}': ${messageOf(e)}`,
  });

/** Checks, before any request, that `write(path, …)` will be able to write: refused with exit 3. */
export const check = (flag: string, path: string): Effect.Effect<void, RunError> =>
  Effect.try({
    try: () => {
      const d = resolve(path);
      if (d.how === "atomic") probeDirectory(dirOf(d.path));
    },
    catch: (e) => failure(flag, path, e),
  });

export const write = (flag: string, path: string, text: string): Effect.Effect<void, RunError> =>
  Effect.tryPromise({
    try: async () => {
      const d = resolve(path);
      if (d.how === "in-place") {
        await Deno.writeTextFile(d.path, text);
        return;
      }
      const slash = d.path.lastIndexOf("/");
      const temp = `${dirOf(d.path)}/.${d.path.slice(slash + 1)}.${Deno.pid}.tmp`;
      try {
        // Deno applies `mode` as given, whatever the umask: the replaced file's bits are kept.
        await Deno.writeTextFile(temp, text, d.mode === undefined ? {} : { mode: d.mode & 0o7777 });
        await Deno.rename(temp, d.path);
      } catch (e) {
        await Deno.remove(temp).catch(() => {});
        throw e;
      }
    },
    catch: (e) => failure(flag, path, e),
  });
