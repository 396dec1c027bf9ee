import { knownFormatHits, secretCompliance, secretRule } from "./common.js";

export const googleApiKeyRule = secretRule(
  {
    id: "DP-SECRET-007",
    severity: "high",
    title: "No Google API key in the file",
    message: "A Google API key (AIza…) is hard-coded.",
    recommendation:
      "Restrict or delete the key in the Google Cloud console (API and referrer/IP restrictions), remove it from the file and its history, and load it from Secret Manager or the environment.",
    fix: "api_key = os.environ[\"GOOGLE_API_KEY\"]   # from Secret Manager; restrict the key to the APIs it needs",
    aliases: ["CKV_SECRET_45"],
    compliance: secretCompliance(true),
  },
  knownFormatHits("DP-SECRET-007"),
);
