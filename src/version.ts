// salvo's version: the one source of truth, read by --version, the User-Agent and the release scripts.
export const version = "0.1.0";
