/** Repository roles as the collaborator permission API's `role_name` reports them. */
export type Role = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export const ROLES: readonly Role[] = ["admin", "maintain", "write", "triage", "read", "none"];

/** Custom roles are treated by their base: anything unknown is read-only, so it fails closed. */
export function canAct(role: string): boolean {
  return role === "admin" || role === "maintain" || role === "write";
}
