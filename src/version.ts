// salvo's version, from its one source of truth (package.json), and what --version prints.
import pkg from "../package.json" with { type: "json" };
import { commit } from "./build_info.ts";

export const version: string = pkg.version;

/** `0.1.0 (commit 1a2b3c4, deno 2.9.6)`: the version, the commit it was built from, and its Deno. */
export const versionLine = (): string => `${version} (commit ${commit}, deno ${Deno.version.deno})`;
