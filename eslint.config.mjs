// Lint: typescript-eslint's recommended rules with type information off (fast), Prettier owns the layout.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdktf.out/", "coverage/", "lib/config/federation-check.generated.ts", "test/fixtures/**/*.json"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/consistent-type-imports": "off",
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-console": "off",
    },
  },
  {
    // Tests load some modules after setting the scene (environment, spies), and assert output byte for byte.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off", "no-regex-spaces": "off" },
  },
  {
    files: ["**/*.js", "**/*.mjs", "bin/*"],
    languageOptions: { globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
