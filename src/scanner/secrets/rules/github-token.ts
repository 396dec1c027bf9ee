import { knownFormatHits, secretCompliance, secretRule } from "./common.js";

export const githubTokenRule = secretRule(
  {
    id: "DP-SECRET-003",
    severity: "critical",
    title: "No GitHub token in the file",
    message: "A GitHub token (ghp_, gho_, ghu_, ghs_, ghr_ or github_pat_) is hard-coded.",
    recommendation:
      "Revoke the token in GitHub settings, remove it from the file and its history, and use the workflow's GITHUB_TOKEN, a GitHub App installation token, or a secret store.",
    fix: "env:\n  GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}   # never a literal ghp_… value",
    aliases: ["CKV_SECRET_43", "github-pat", "github-oauth", "github-app-token", "github-refresh-token", "github-fine-grained-pat"],
    compliance: secretCompliance(true),
  },
  knownFormatHits("DP-SECRET-003"),
);
