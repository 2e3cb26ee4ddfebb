/**
 * The floors and their arrows, checked by `npm test` (scripts/depcheck.mjs) and `npm run depcheck`.
 * Floors, bottom to top: runtime/ < magics/ < kernel/ < bin/. An arrow may point down or sideways,
 * never up; exec (runtime/exec/) is reached only through the governor (runtime/governor/).
 * Type-only imports are not arrows at run time and are allowed everywhere.
 * Known violations waiting for a change in flight are listed in .dependency-cruiser-known-violations.json
 * (reported as warnings); any other violation fails the check.
 */
/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "runtime-points-up",
      severity: "error",
      comment: "runtime/ is the bottom floor: it must not import magics/, kernel/ or bin/ (move the shared piece down into runtime/ instead)",
      from: { path: "^runtime/" },
      to: { path: "^(magics|kernel|bin)/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "magics-points-up",
      severity: "error",
      comment: "magics/ must not import kernel/ or bin/ (commands that start the kernel belong to the CLI entry)",
      from: { path: "^magics/" },
      to: { path: "^(kernel|bin)/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "kernel-points-up",
      severity: "error",
      comment: "kernel/ must not import bin/ (the CLI entry is the top floor)",
      from: { path: "^kernel/" },
      to: { path: "^bin/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "exec-outside-governor",
      severity: "error",
      comment: "runtime/exec/ is reached only through runtime/governor/ (policy, then exec, then audit); call the governor's port instead",
      from: { path: "^(bin|kernel|magics|runtime)/", pathNot: "^runtime/(governor|exec)/" },
      to: { path: "^runtime/exec/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "floor-cycle",
      severity: "error",
      comment: "a cycle through two floors is an upward arrow in disguise: break it by moving the shared piece down",
      from: { path: "^(bin|kernel|magics|runtime)/" },
      // "$1" is the floor the cycle starts on: the rule fires when some module of the cycle is on another floor.
      to: { circular: true, dependencyTypesNot: ["type-only"], viaSomeNot: "^$1/" },
    },
  ],
  options: {
    includeOnly: "^(bin|kernel|magics|runtime|tests)/",
    exclude: { path: "^(node_modules|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".json"] },
    moduleSystems: ["es6", "cjs"],
  },
};
