/** Container registries and the cloud each belongs to. */

export type Provider = "aws" | "gcp" | "azure";

export type RegistryKind = "ghcr" | "ecr" | "gar" | "acr" | "other";

export interface Registry {
  kind: RegistryKind;
  /** Host and optional namespace, as given. */
  path: string;
  /** The host `docker login` talks to. */
  host: string;
}

export function registryOf(path: string): Registry {
  const host = path.split("/")[0] ?? path;
  let kind: RegistryKind = "other";
  if (host === "ghcr.io") kind = "ghcr";
  else if (/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(host)) kind = "ecr";
  else if (/^[a-z0-9-]+-docker\.pkg\.dev$/.test(host)) kind = "gar";
  else if (/^[a-z0-9]+\.azurecr\.io$/.test(host)) kind = "acr";
  return { kind, path, host };
}

/** The cloud a registry kind belongs to, if any. */
export function registryProvider(kind: RegistryKind): Provider | undefined {
  return kind === "ecr" ? "aws" : kind === "gar" ? "gcp" : kind === "acr" ? "azure" : undefined;
}

