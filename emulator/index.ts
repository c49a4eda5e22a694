/**
 * The local Microsoft cloud emulator: Entra ID (client-credentials tokens), Microsoft Graph's
 * migration surface (v1.0 and beta) and the Bot Framework channel/connector, on loopback HTTPS.
 * See emulator/README.md.
 */
export { startEmulator, type EmulatorOptions } from './emulator';
export { ensureCertificate, defaultDataDir } from './cert';
export { DEFAULT_LIMITS } from './throttle';
export { defaultFixture, expandFixture, type TenantFixture } from './fixture';
export {
  TeamsClient,
  fileDownloadAttachment,
  FILE_DOWNLOAD_INFO,
  type TeamsUser,
  type Conversation,
  type PostResult,
  type OutgoingFile,
  type SendFileOptions,
  type FilePostResult,
  type AcceptResult,
} from './teams-client';
export { FILE_CONSENT_CARD, FILE_INFO_CARD } from './connector-store';
export { botEnvironment } from './bot-env';
export type {
  AccessTokenClaims,
  AddedTeam,
  ChannelTokenClaims,
  ConnectorRecorder,
  DeletedActivity,
  Emulator,
  EmulatorInfo,
  FaultInjector,
  FaultKind,
  FaultRule,
  FileConsentCardSent,
  FileDownload,
  FileInfoCardSent,
  FileUpload,
  FileUploadSlot,
  HostedFile,
  HostFileOptions,
  ImportedMessage,
  LoggedRequest,
  MessageAttachment,
  MessageHostedContent,
  MessageMention,
  MessageReaction,
  MessageUser,
  NewTeam,
  RateLimits,
  RecordedActivity,
  Service,
  TeamsFiles,
  ThreadState,
  UploadedFile,
} from './types';
