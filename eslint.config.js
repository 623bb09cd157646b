import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The layers ARCHITECTURE.md describes. A file gets one `no-restricted-imports` rule (flat config
// replaces a rule rather than merging it), so each layer lists every pattern it must not import.
const SDKS = {
  regex: "^(probot|openai)(/.*)?$|^@octokit/",
  message: "Only adapters (src/adapters/), src/app/ and src/index.ts import probot, octokit or openai.",
};
const ADAPTERS = {
  group: ["**/adapters", "**/adapters/**", "**/forge/github", "**/forge/github/**"],
  message: "Adapters are wired in src/app/ or src/cli/; depend on the port type in the domain instead.",
};
const ENTRY_POINTS = {
  group: ["**/app", "**/app/**", "**/cli", "**/cli/**"],
  message: "src/app/ and src/cli/ are entry points; nothing below them imports them.",
};
const FLOWS = {
  group: ["**/flows", "**/flows/**"],
  message: "Flows combine domains; a domain or adapter never imports a flow (move the type into its domain).",
};
const DOMAIN_IO = {
  regex: "^(node:)?(http|https|child_process|fs)(/.*)?$",
  message: "Domains do no I/O: put it in an adapter (src/adapters/) behind a port in the domain.",
};

const DOMAINS = [
  "signals",
  "diagnosis",
  "policy",
  "proposal",
  "manifests",
  "verification",
  "audit",
  "config",
  "text",
  "notify",
  "onboarding",
];

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "schemas/", "bin/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "TSEnumDeclaration", message: "Use string unions, not enums." },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/adapters/**", "src/forge/github/**", "src/index.ts", "src/app/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [SDKS] }] },
  },
  {
    files: DOMAINS.map((domain) => `src/${domain}/**/*.ts`),
    rules: {
      "no-restricted-imports": ["error", { patterns: [SDKS, ADAPTERS, ENTRY_POINTS, FLOWS, DOMAIN_IO] }],
    },
  },
  {
    files: ["src/flows/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [SDKS, ADAPTERS, ENTRY_POINTS] }] },
  },
  {
    files: ["src/adapters/**/*.ts", "src/forge/github/**/*.ts", "src/forge/memory/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [ENTRY_POINTS, FLOWS] }] },
  },
);
