import { ConfidentialClientApplication } from '@azure/msal-node';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import { MsalServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from '../config/config';

/**
 * The credentials the bot uses to call the Bot Framework connector (replies, card updates).
 * botbuilder's stock factory builds its own MSAL client without `knownAuthorities`, so a login URL
 * that is not Microsoft's (the local emulator, a sovereign proxy) fails instance discovery
 * (platform-notes). Here MSAL is built with the login URL's host declared, and handed to
 * botbuilder's own `MsalServiceClientCredentialsFactory`. Returns undefined when botbuilder's
 * default factory is right (no app id, or Microsoft's login URL).
 */
export function createBotCredentialsFactory(config: Config): ServiceClientCredentialsFactory | undefined {
  const loginUrl = config.botFrameworkOverrides.ToChannelFromBotLoginUrl;
  if (!config.bot.appId || !loginUrl || /^https:\/\/login\.(microsoftonline\.com|botframework\.com)\b/i.test(loginUrl)) return undefined;
  const authority = new URL(loginUrl);
  const msal = new ConfidentialClientApplication({
    auth: {
      clientId: config.bot.appId,
      clientSecret: config.bot.password,
      authority: loginUrl.replace(/\/+$/, ''),
      knownAuthorities: [authority.host],
    },
  });
  // botframework-connector is typed against its own msal-node copy; the client API it calls
  // (acquireTokenByClientCredential) is the same.
  return new MsalServiceClientCredentialsFactory(config.bot.appId, msal as never);
}
