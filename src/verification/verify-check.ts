/** The check run a merged Remedy PR gets on its merge commit while its rollout is verified. */
export const VERIFY_CHECK = "remedy/verify";
