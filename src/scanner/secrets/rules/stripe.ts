import { knownFormatHits, secretCompliance, secretRule } from "./common.js";

export const stripeRule = secretRule(
  {
    id: "DP-SECRET-006",
    severity: "critical",
    title: "No Stripe live secret key in the file",
    message: "A Stripe live secret or restricted key (sk_live_ / rk_live_) is hard-coded.",
    recommendation: "Roll the key in the Stripe dashboard, remove it from the file and its history, and load it from a secret store at run time. Test-mode keys (sk_test_) are not reported.",
    fix: "const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);   // injected from the secret store",
    aliases: ["CKV_SECRET_17"],
    compliance: secretCompliance(true),
  },
  knownFormatHits("DP-SECRET-006"),
);
