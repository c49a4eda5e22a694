import { createSigningKey, type SigningKey } from './jwt';

/** Every signing key the emulator uses. */
export interface KeyRing {
  /** signs Entra access tokens; published at /{tenant}/discovery/v2.0/keys */
  entra: SigningKey;
  /** Bot Framework channel key endorsed for msteams */
  botMsteams: SigningKey;
  /** Bot Framework key published without the msteams endorsement */
  botUnendorsed: SigningKey;
  /** Bot Framework key endorsed for several channels, like an Azure Bot resource's (msteams, webchat, directline) */
  botMultichannel: SigningKey;
  /** never published: tokens signed with it have a bad signature */
  foreign: SigningKey;
}

let ring: KeyRing | undefined;

/**
 * The process-wide key ring, generated on first use. RSA generation costs tens of milliseconds
 * per key and test suites start many emulators, so the keys are shared by all of them.
 */
export function keyRing(): KeyRing {
  if (!ring) {
    ring = {
      entra: createSigningKey('emulator-entra-1'),
      botMsteams: createSigningKey('emulator-bf-msteams'),
      botUnendorsed: createSigningKey('emulator-bf-unendorsed'),
      botMultichannel: createSigningKey('emulator-bf-multichannel'),
      foreign: createSigningKey('emulator-foreign'),
    };
  }
  return ring;
}
