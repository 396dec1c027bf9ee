import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "bin/**", "bench/**/*.mjs", "scripts/**", "src/**/fixtures/**", "test/fixtures/**", ".devops-pack/**", ".scratch/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-imports": "off",
      // Command handlers and validator hooks share async signatures even when one body is synchronous.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Issue 12: `m.set(k, [...(m.get(k) ?? []), x])` copies the list for every item, quadratic in a group's size.
    files: ["src/**/*.ts"],
    ignores: ["src/**/*.test.ts", "src/**/testing/**"],
    rules: {
      "no-restricted-syntax": ["error", {
        selector: "CallExpression[callee.property.name='set'] > ArrayExpression > SpreadElement > LogicalExpression[operator='??'] > CallExpression[callee.property.name='get']",
        message: "Copying a group's list for every item is quadratic: get the list and push to it, or set a new one.",
      }],
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["**/agents/**", "**/scanner/**", "**/interfaces/**"], message: "core must not import higher layers (core <- agents <- scanner <- interfaces)." },
      ] }],
    },
  },
  {
    files: ["src/agents/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["**/scanner/**", "**/interfaces/**"], message: "agents must not import scanner or interfaces." },
      ] }],
    },
  },
  {
    files: ["src/trackers/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["**/agents/**", "**/scanner/**", "**/interfaces/**"], message: "tracker adapters use core only (they are the only code that reaches the network)." },
      ] }],
    },
  },
  {
    files: ["src/scanner/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["**/interfaces/**"], message: "scanner must not import interfaces." },
      ] }],
    },
  },
  {
    // Tests and test support may check generated output with the scanner.
    files: ["src/agents/**/*.test.ts", "src/agents/**/testing/**/*.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
);
