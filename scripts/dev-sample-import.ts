/**
 * The sample export `npm run dev` offers for "import from Teams": the Slack story export (the one
 * the import tests use, aimed at "My Team"), hosted by the emulator as a file Alex attached in the
 * personal chat, and a one-line custom activity that attaches it, ready to paste into the Agents
 * Playground's "Mock an Activity → Custom activity" (the Playground cannot attach files itself).
 *
 * The emulator keeps hosted files in memory, so both are made again at every start: the download
 * URL (and so the activity) changes each time.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { parse } from 'yaml';
import { fileDownloadAttachment, type Emulator, type HostedFile } from '../emulator/index';
import { writeSlackStoryExport } from '../test/support/exports/slack-export';

/** The sample's file name, as Alex "attached" it. */
export const SAMPLE_EXPORT_NAME = 'acme-slack-export.zip';
/** The file holding the one-line custom activity, next to the export. */
export const SAMPLE_ACTIVITY_NAME = 'import-activity.json';
/** How long the emulator serves the sample (a real Teams download URL lasts minutes; a demo runs longer). */
export const SAMPLE_LIFETIME_SECONDS = 7 * 24 * 3600;

/** The sample as hosted for this run. */
export interface SampleImport {
  /** The export zip on disk. */
  exportPath: string;
  /** The one-line activity file, or null when it could not be prepared (the reason was logged). */
  activityPath: string | null;
  /** The hosted file (download URL, expiry). */
  file: HostedFile;
}

/** What the sample activity says about the user and the chat, from the Playground's config file. */
interface PlaygroundPeople {
  tenantId: string;
  userName: string;
  personalChatId: string;
  teamName: string;
}

function playgroundPeople(configPath: string): PlaygroundPeople {
  const config = parse(fs.readFileSync(configPath, 'utf8')) as {
    tenantId?: string;
    currentUser?: { name?: string };
    personalChat?: { id?: string };
    team?: { name?: string };
  };
  const { tenantId } = config;
  const userName = config.currentUser?.name;
  const personalChatId = config.personalChat?.id;
  const teamName = config.team?.name;
  if (!tenantId || !userName || !personalChatId || !teamName) throw new Error(`${configPath} names no tenantId, currentUser, personalChat or team`);
  return { tenantId, userName, personalChatId, teamName };
}

/** Writes the story export under `dir` and has the emulator host it for Alex (owner `alex`). */
export async function hostSampleExport(emulator: Emulator, dir: string): Promise<{ exportPath: string; file: HostedFile }> {
  fs.mkdirSync(dir, { recursive: true });
  // An activity of an earlier run points at a download URL this emulator never gave out.
  fs.rmSync(path.join(dir, SAMPLE_ACTIVITY_NAME), { force: true });
  const exportPath = path.join(dir, SAMPLE_EXPORT_NAME);
  await writeSlackStoryExport(exportPath);
  const file = emulator.files.host(SAMPLE_EXPORT_NAME, fs.readFileSync(exportPath), { expiresInSeconds: SAMPLE_LIFETIME_SECONDS, owner: 'alex' });
  return { exportPath, file };
}

/** The Playground's own starting point for a custom activity in a conversation (ids, serviceUrl, recipient, from). */
function activityTemplate(playgroundUrl: string, conversationId: string): Promise<Record<string, unknown>> {
  const url = `${playgroundUrl}/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(conversationId)}`;
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`the Playground answered ${res.statusCode} for its custom activity template`));
        try {
          resolve(JSON.parse(body) as Record<string, unknown>);
        } catch (err) {
          reject(new Error('the Playground sent an unreadable custom activity template', { cause: err }));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('the Playground did not send its custom activity template within 10 s')));
    req.on('error', reject);
  });
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The message Teams sends when the user attaches `file` in the personal chat and types `text`:
 * the Playground's template for that chat, made a message from the user with their client's
 * time zone, the `file.download.info` attachment and the `text/html` copy of the text Teams adds.
 */
export function sampleImportActivity(
  template: Record<string, unknown>,
  file: HostedFile,
  people: { tenantId: string; userName: string },
  text: string,
  timeZone: string,
): Record<string, unknown> {
  const from = (template.from ?? {}) as Record<string, unknown>;
  return {
    ...template,
    type: 'message',
    text,
    from: { ...from, name: people.userName },
    channelData: { tenant: { id: people.tenantId } },
    entities: [{ type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone: timeZone }],
    localTimezone: timeZone,
    attachments: [fileDownloadAttachment(file), { contentType: 'text/html', content: `<p>${escapeHtml(text)}</p>` }],
  };
}

/**
 * Writes `<dir>/import-activity.json`: the sample's custom activity as ONE line (the Playground's
 * editor auto-indents and closes brackets in pasted multi-line JSON, which breaks it).
 */
export async function writeSampleActivity(options: {
  dir: string;
  file: HostedFile;
  playgroundUrl: string;
  configPath: string;
  timeZone: string;
}): Promise<{ activityPath: string; activity: Record<string, unknown> }> {
  const people = playgroundPeople(options.configPath);
  const template = await activityTemplate(options.playgroundUrl, people.personalChatId);
  const activity = sampleImportActivity(template, options.file, people, `import into "${people.teamName}"`, options.timeZone);
  const activityPath = path.join(options.dir, SAMPLE_ACTIVITY_NAME);
  fs.writeFileSync(activityPath, `${JSON.stringify(activity)}\n`);
  return { activityPath, activity };
}
