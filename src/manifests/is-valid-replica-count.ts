// Kubernetes stores replicas as int32; a larger number would be rejected by the API server after merge.
const INT32_MAX = 2_147_483_647;

/** A non-negative integer written canonically ("6", not "06", "+6" or "6.0"). */
export function isValidReplicaCount(count: string): boolean {
  return /^(0|[1-9][0-9]{0,9})$/.test(count) && Number(count) <= INT32_MAX;
}
