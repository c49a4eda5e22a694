import type { PreparedImport } from '../import/import-engine';

/**
 * The import a plan card shows, kept on the server as the payload of its pending operation (kind
 * `import`). The card carries only the operation's id and the admin's inputs; which export, which
 * source channels and whose upload it is come from here, so a rewritten card cannot point the
 * import at another file or another channel list.
 */
export interface ImportDraft {
  /** The stored upload (ExportFileStore id). */
  exportId: string;
  fileName: string;
  bytes: number;
  /** SHA-256 of the upload, taken as it was stored (planning need not read the whole file for it). */
  sha256?: string;
  /** The team chosen (id), or null while none is. */
  teamId: string | null;
  /** The team as the admin typed it, when it could not be resolved (shown with the reason). */
  teamAsked: string | null;
  /** Source channel ids in card order: input `map_<i>` chooses the target of `sources[i]`. */
  sources: string[];
  /** What each `map_<i>` input showed (a target channel id, or SKIP): an unchanged input is no choice. */
  shown: string[];
  /** Explicit choices: source channel id → target channel id, or '' to skip it. */
  maps: Record<string, string>;
  /** Object id of the user unmatched authors are posted as, or null. */
  fallbackUserId: string | null;
  completeWhenDone: boolean;
  uploadFiles: boolean;
  /** Messages the plan sends (what the typed confirmation threshold is measured on). */
  sends: number;
  /** The team's name must be typed to confirm (the import is large). */
  typedRequired: boolean;
  /** What the plan shown does, channel by channel (`planFingerprint`): Confirm acts only on the same. */
  planKey?: string;
  teamName: string | null;
}

/**
 * What a plan does, in one string: each source channel's target, start or continue, and date, the
 * channels left out, the fallback user and the messages sent. Two plans with the same fingerprint
 * write the same things.
 */
export function planFingerprint(prepared: PreparedImport | null): string {
  if (!prepared) return '';
  const { plan } = prepared;
  return JSON.stringify([
    plan.team.id,
    plan.targets.map((t) => [t.source.id, t.target.id, t.action, t.migrationDate, t.roots + t.replies + t.placeholders]),
    plan.skippedChannels.map((s) => s.name),
    plan.fallback?.id ?? null,
    prepared.existing?.id ?? null,
  ]);
}

/**
 * The draft of a newly attached export: no choice made yet (the plan card fills in the team's
 * channels, what they show and the size of the plan).
 */
export function newDraft(
  upload: { exportId: string; fileName: string; bytes: number; sha256?: string },
  team: { id: string | null; asked: string | null },
): ImportDraft {
  return {
    ...upload,
    teamId: team.id,
    teamAsked: team.asked,
    teamName: null,
    sources: [],
    shown: [],
    maps: {},
    fallbackUserId: null,
    completeWhenDone: false,
    uploadFiles: false,
    sends: 0,
    typedRequired: false,
  };
}

/** What the value of a skipped source channel's input is. */
export const SKIP = 'skip';

/** Reads a stored draft back; null when it is not one (written by another version). */
export function readDraft(payload: Record<string, unknown>): ImportDraft | null {
  const d = payload as Partial<ImportDraft>;
  if (
    typeof d.exportId !== 'string' ||
    typeof d.fileName !== 'string' ||
    !Array.isArray(d.sources) ||
    !Array.isArray(d.shown) ||
    typeof d.maps !== 'object' ||
    d.maps === null
  )
    return null;
  return d as ImportDraft;
}

/** Only an id of the shape Graph uses for users (object id or sign-in name), else null. */
function userIdInput(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (!v || v.length > 256 || /[\s/\\?#%]/.test(v)) return null;
  return v;
}

/** The choices a plan card's inputs (untrusted) make on top of the draft they were shown with. */
export function choicesFrom(draft: ImportDraft, inputs: Record<string, unknown>): ImportDraft {
  const teamId = typeof inputs.teamId === 'string' && inputs.teamId.trim() ? inputs.teamId.trim().slice(0, 200) : draft.teamId;
  const sameTeam = teamId === draft.teamId;
  const maps: Record<string, string> = {};
  // Another team has other channels: the choices made for the old team do not carry over.
  if (sameTeam) {
    draft.sources.forEach((source, i) => {
      const v = inputs[`map_${i}`];
      if (typeof v !== 'string' || !v || v === draft.shown[i]) {
        if (source in draft.maps) maps[source] = draft.maps[source];
        return;
      }
      maps[source] = v === SKIP ? '' : v.slice(0, 200);
    });
  }
  const signIn = userIdInput(inputs.fallbackSignIn);
  const picked = userIdInput(inputs.fallbackUserId);
  const flag = (v: unknown, was: boolean) => (v === 'true' ? true : v === 'false' ? false : was);
  return {
    ...draft,
    teamId,
    teamAsked: sameTeam ? draft.teamAsked : null,
    maps,
    fallbackUserId: signIn ?? picked ?? draft.fallbackUserId,
    completeWhenDone: flag(inputs.completeWhenDone, draft.completeWhenDone),
    uploadFiles: flag(inputs.uploadFiles, draft.uploadFiles),
  };
}

/** True when the admin's inputs choose something other than what the plan shown was made with. */
export function choicesChanged(draft: ImportDraft, next: ImportDraft): boolean {
  const key = (d: ImportDraft) => JSON.stringify([d.teamId, Object.entries(d.maps).sort(), d.fallbackUserId, d.completeWhenDone, d.uploadFiles]);
  return key(draft) !== key(next);
}
