/**
 * DNS names in content-signature certificates: which signer a leaf names, and whether a name lies inside a
 * CA's name constraints, with mozilla::pkix's matching rules (ASCII case-insensitive; a dNSName constraint
 * `example.com` covers `example.com` and its subdomains, `.example.com` only the subdomains).
 */

const LABEL = "(?!-)[a-z0-9-]{1,63}(?<!-)";
/** LDH labels only: no wildcard, no trailing dot, no underscore. */
const PRESENTED_NAME = new RegExp(`^${LABEL}(\\.${LABEL})*$`, "i");
const MAX_NAME_LENGTH = 253;

/**
 * Whether a certificate's dNSName is one we match against. Stricter than mozilla::pkix, which also takes
 * wildcard names (`*.example.com`) and a few other forms: Autograph names each signer exactly, and a wildcard
 * leaf would let one key sign for every signer of a domain.
 */
export function isPlainDnsName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && PRESENTED_NAME.test(name);
}

/** Whether `presented` (from a certificate) names `reference` (the expected signer). */
export function namesHost(presented: string, reference: string): boolean {
  return isPlainDnsName(presented) && presented.toLowerCase() === reference.toLowerCase();
}

/** Whether `name` lies in the dNSName subtree `constraint` (RFC 5280 §4.2.1.10, as mozilla::pkix reads it). */
export function inDnsSubtree(name: string, constraint: string): boolean {
  const lowerName = name.toLowerCase();
  const lowerConstraint = constraint.toLowerCase();
  if (lowerConstraint === "") return true;
  if (lowerConstraint.startsWith(".")) return lowerName.endsWith(lowerConstraint);
  return lowerName === lowerConstraint || lowerName.endsWith(`.${lowerConstraint}`);
}

/** A dNSName constraint we can evaluate: empty (every name), or a plain name with an optional leading dot. */
export function isValidDnsConstraint(constraint: string): boolean {
  return constraint === "" || isPlainDnsName(constraint.startsWith(".") ? constraint.slice(1) : constraint);
}
