/**
 * The local Microsoft cloud emulator: Entra ID (client-credentials tokens), Microsoft Graph's
 * migration surface (v1.0 and beta) and the Bot Framework channel/connector, on loopback HTTPS.
 * See emulator/README.md.
 */
export { startEmulator, type EmulatorOptions } from './emulator';
export { ensureCertificate, defaultDataDir } from './cert';
export { DEFAULT_LIMITS } from './throttle';
export { defaultFixture, expandFixture, type TenantFixture } from './fixture';
export { TeamsClient, type TeamsUser, type Conversation, type PostResult } from './teams-client';
export { botEnvironment } from './bot-env';
export type {
  AccessTokenClaims,
  AddedTeam,
  ChannelTokenClaims,
  ConnectorRecorder,
  Emulator,
  EmulatorInfo,
  FaultInjector,
  FaultKind,
  FaultRule,
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
  ThreadState,
  UploadedFile,
} from './types';
