import { ROLES, type Role } from "../../signals/role.js";
import { orNull, type GitHubContext } from "./github-context.js";

/** A user's role on the repository, looked up once per forge (per webhook delivery in the App). */
export class GitHubPermissions {
  readonly #ctx: GitHubContext;
  readonly #roles = new Map<string, Promise<Role>>();

  constructor(ctx: GitHubContext) {
    this.#ctx = ctx;
  }

  permission(user: string): Promise<Role> {
    let role = this.#roles.get(user);
    if (role === undefined) {
      role = this.#permission(user);
      this.#roles.set(user, role);
      role.catch(() => this.#roles.delete(user));
    }
    return role;
  }

  async #permission(user: string): Promise<Role> {
    const response = await orNull(
      this.#ctx.octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
        ...this.#ctx.r,
        username: user,
      }),
    );
    if (response === null) return "none";
    const { role_name: roleName, permission } = response.data;
    if ((ROLES as readonly string[]).includes(roleName)) return roleName as Role;
    // A custom role: its legacy permission is the base role it extends.
    if (permission === "admin" || permission === "write" || permission === "read") return permission;
    return "none";
  }
}
