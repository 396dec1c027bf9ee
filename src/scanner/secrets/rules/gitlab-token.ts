import { knownFormatHits, secretCompliance, secretRule } from "./common.js";

export const gitlabTokenRule = secretRule(
  {
    id: "DP-SECRET-004",
    severity: "critical",
    title: "No GitLab token in the file",
    message: "A GitLab token (glpat-, gldt-, glrt-, glptt-…) is hard-coded.",
    recommendation: "Revoke the token in GitLab, remove it from the file and its history, and pass it from a masked CI/CD variable or a secret store.",
    fix: "# .gitlab-ci.yml: reference a masked, protected CI/CD variable\nscript:\n  - curl --header \"PRIVATE-TOKEN: $GITLAB_API_TOKEN\" \"$CI_API_V4_URL/projects\"",
    aliases: ["CKV_SECRET_44", "gitlab-pat"],
    compliance: secretCompliance(true),
  },
  knownFormatHits("DP-SECRET-004"),
);
