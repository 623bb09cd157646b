import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
    ignores: ["src/forge/github/**", "src/diagnosis/openai-diagnoser.ts", "src/index.ts", "src/app/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["probot", "@octokit/*", "openai"],
              message: "Only adapter files import octokit, probot or openai.",
            },
          ],
        },
      ],
    },
  },
);
