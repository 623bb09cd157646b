import type { PolicyResult } from "../policy/evaluate-policy.js";
import { fieldLabel, MAX_BODY, planBlock, renderPolicy } from "./approval-packet.js";
import { fenced, safeToken, table } from "./markdown.js";
import type { Plan } from "./plan.js";

export interface Revision {
  /** The policy as evaluated for the branch's value; null when the branch holds no single edit. */
  policy: PolicyResult | null;
  protection?: string;
  /** The unified diff of the branch against the base. */
  diff: string | null;
  /** Who changed the value and how, newest last (from the ledger). */
  modifications: ReadonlyArray<{ by: string; via: "push" | "set"; from: string; to: string }>;
  /** What Remedy itself planned, shown beside the value people chose. */
  planned: { before: string; after: string };
  /** Who may give the approval that counts (separate_approver), when restricted. */
  approvers?: string;
}

const SECTION = (title: string) => `\n\n## ${title}\n`;

/**
 * The approval packet after the branch's value changed (a push or `/set`): the What changes, Risk,
 * Reversibility, Policy and Approvals sections and the plan block are written again for the value
 * actually on the branch; the Why and the rest stay as Remedy wrote them at diagnosis. Sections are
 * found from the end of the body, because the Why quotes untrusted text that may imitate a heading.
 */
export function revisePacket(body: string, plan: Plan, revision: Revision): string {
  const block = body.lastIndexOf("<!-- remedy:plan ");
  const head = block < 0 ? body : body.slice(0, block).replace(/\s+$/, "");
  const what = head.lastIndexOf(SECTION("What changes"));
  const verification = head.lastIndexOf(SECTION("Verification plan"));
  const approvals = head.lastIndexOf(SECTION("Approvals required"));
  const uncertainties = head.lastIndexOf(SECTION("Uncertainties"));
  for (const withDiff of [true, false]) {
    const middle = changeSections(plan, revision, withDiff);
    const gate = `## Approvals required\n${approvalsText(plan, revision)}`;
    const ordered = what >= 0 && what < verification && verification < approvals && approvals < uncertainties;
    const text = ordered
      ? [
          head.slice(0, what),
          `\n\n${middle}`,
          head.slice(verification, approvals),
          `\n\n${gate}`,
          head.slice(uncertainties),
          `\n\n${planBlock(plan)}`,
        ].join("")
      : // A packet trimmed to fit the size limit lost its headings: the revision goes before the block.
        `${head}\n\n${middle}\n\n${gate}\n\n${planBlock(plan)}`;
    if (text.length <= MAX_BODY) return text;
  }
  return `${head.slice(0, MAX_BODY - 8_000)}\n\n…(truncated)\n\n${changeSections(plan, revision, false).slice(0, 4_000)}\n\n${planBlock(plan)}`;
}

function changeSections(plan: Plan, revision: Revision, withDiff: boolean): string {
  const latest = revision.modifications.at(-1);
  const modified =
    latest === undefined
      ? ""
      : `**Modified by @${safeToken(latest.by, 39)}** (${latest.via === "set" ? "`/set`" : "a push to the branch"}): ${latest.from} → ${latest.to}. Remedy planned ${revision.planned.before} → ${revision.planned.after}.` +
        (revision.modifications.length > 1
          ? `\n\nEarlier changes: ${revision.modifications
              .slice(0, -1)
              .map((m) => `@${safeToken(m.by, 39)} ${m.from} → ${m.to}`)
              .join("; ")}.`
          : "");
  const what = [
    modified,
    table(
      ["file", "field", "before", "after"],
      [[plan.target.file, fieldLabel(plan), plan.before, plan.after]],
    ),
    withDiff && revision.diff !== null
      ? fenced(revision.diff, "diff")
      : "The diff is omitted to keep this description under GitHub's size limit; see the Files tab.",
  ].filter(Boolean);
  const sections = [
    `## What changes\n${what.join("\n\n")}`,
    `## Risk\nTier: **${plan.risk}**\n${plan.riskFlags.map((f) => `- ${f}`).join("\n")}`,
    `## Reversibility\nThe exact revert sets ${fieldLabel(plan)} in \`${plan.target.file}\` back to \`${plan.revert.value}\`. ` +
      "Remedy opens that revert PR itself if verification fails after merge; comment `/rollback` on the merged PR to ask for it at any time.",
  ];
  if (revision.policy !== null)
    sections.push(
      `## Policy\nRe-checked for the value on the branch.\n\n${renderPolicy(revision.policy, revision.protection)}`,
    );
  return sections.join("\n\n");
}

function approvalsText(plan: Plan, revision: Revision): string {
  return (
    `${plan.approvals} approving review${plan.approvals === 1 ? "" : "s"} from: ${plan.reviewers.join(", ") || "(no reviewers configured)"}. ` +
    (revision.approvers === undefined ? "" : `${revision.approvers} `) +
    `Remedy never merges${plan.autoMerge ? "; policy lets it enable GitHub auto-merge, which branch protection still governs" : ""}.`
  );
}
