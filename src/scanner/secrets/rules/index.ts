import type { Rule } from "../../types.js";
import type { TextFile } from "../model.js";
import { awsAccessKeyRule } from "./aws-access-key.js";
import { awsSecretKeyRule } from "./aws-secret-key.js";
import { genericSecretRule } from "./generic.js";
import { githubTokenRule } from "./github-token.js";
import { gitlabTokenRule } from "./gitlab-token.js";
import { googleApiKeyRule } from "./google-api-key.js";
import { jwtRule } from "./jwt.js";
import { npmTokenRule } from "./npm-token.js";
import { privateKeyRule } from "./private-key.js";
import { slackRule } from "./slack.js";
import { stripeRule } from "./stripe.js";
import { urlCredentialsRule } from "./url-credentials.js";

/** The secret rules, in id order. */
export const SECRET_RULES: readonly Rule<TextFile>[] = [
  awsAccessKeyRule,
  awsSecretKeyRule,
  githubTokenRule,
  gitlabTokenRule,
  slackRule,
  stripeRule,
  googleApiKeyRule,
  privateKeyRule,
  jwtRule,
  npmTokenRule,
  genericSecretRule,
  urlCredentialsRule,
];
