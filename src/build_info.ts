// Facts about this build: scripts/build.ts bakes in the commit; from source it reads "dev".
export const commit: string = "dev";
