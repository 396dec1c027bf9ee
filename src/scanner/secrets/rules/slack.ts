import { knownFormatHits, secretCompliance, secretRule } from "./common.js";

export const slackRule = secretRule(
  {
    id: "DP-SECRET-005",
    severity: "high",
    title: "No Slack token or webhook URL in the file",
    message: "A Slack token (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-) or an incoming-webhook URL is hard-coded.",
    recommendation: "Revoke the token or regenerate the webhook in the Slack app settings, remove it from the file and its history, and read it from a secret store.",
    fix: "# alertmanager.yml\nslack_configs:\n  - api_url_file: /etc/alertmanager/secrets/slack-webhook   # mounted from a Secret, not inline",
    aliases: ["CKV_SECRET_14", "slack-access-token", "slack-web-hook"],
    compliance: secretCompliance(true),
  },
  knownFormatHits("DP-SECRET-005"),
);
