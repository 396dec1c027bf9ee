import { knownFormatHits, secretCompliance, secretRule } from "./common.js";

export const npmTokenRule = secretRule(
  {
    id: "DP-SECRET-010",
    severity: "high",
    title: "No npm access token in the file",
    message: "An npm access token (npm_… or a registry _authToken) is hard-coded.",
    recommendation: "Revoke the token on npmjs.com, remove it from the file and its history, and reference an environment variable in .npmrc; publish from CI with trusted publishing.",
    fix: "# .npmrc\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    aliases: ["CKV_SECRET_12", "npm-access-token"],
    compliance: secretCompliance(true),
  },
  knownFormatHits("DP-SECRET-010"),
);
