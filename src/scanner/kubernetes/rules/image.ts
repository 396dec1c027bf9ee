/** A container image reference split into its parts. */
export interface ImageRef {
  /** Repository with registry, e.g. `ghcr.io/acme/api` or `nginx`. */
  repository: string;
  /** Tag, "" when absent. */
  tag: string;
  /** Digest (`sha256:…`), "" when absent. */
  digest: string;
}

/**
 * Split `registry:port/repo:tag@sha256:…`. A `:` belongs to the tag only when
 * it comes after the last `/` (so `localhost:5000/app` has no tag).
 */
export function parseImage(image: string): ImageRef {
  const trimmed = image.trim();
  const at = trimmed.indexOf("@");
  const digest = at >= 0 ? trimmed.slice(at + 1) : "";
  const nameTag = at >= 0 ? trimmed.slice(0, at) : trimmed;
  const slash = nameTag.lastIndexOf("/");
  const colon = nameTag.lastIndexOf(":");
  if (colon > slash) return { repository: nameTag.slice(0, colon), tag: nameTag.slice(colon + 1), digest };
  return { repository: nameTag, tag: "", digest };
}
