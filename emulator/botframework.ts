import type { Core } from './core';
import { sendGraphError, sendJson, type RequestContext } from './http';
import { nowSeconds, signJwt } from './jwt';
import { keyRing } from './keys';
import type { ChannelTokenClaims } from './types';

/** The issuer botbuilder expects on channel tokens by default. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/** Channels the multichannel key endorses: those every Azure Bot resource has. */
export const MULTICHANNEL_ENDORSEMENTS = ['msteams', 'webchat', 'directline'] as const;

/** URL of the channel OpenID metadata (botbuilder's ToBotFromChannelOpenIdMetadataUrl). */
export function openIdMetadataUrl(baseUrl: string): string {
  return `${baseUrl}/botframework/.well-known/openid-configuration`;
}

/**
 * Serves the Bot Framework channel-token metadata: the OpenID configuration and its JWKS. The
 * msteams key carries the `msteams` endorsement; the unendorsed key is published but endorsed for
 * another channel only, so botbuilder must refuse Teams activities signed with it; the multichannel
 * key is endorsed for msteams, webchat and directline, so botbuilder accepts an activity of any of
 * those channels signed with it (the bot itself must refuse all but msteams).
 */
export function handleBotFramework(core: Core, ctx: RequestContext, segments: string[]): boolean {
  const route = segments.slice(1).join('/');
  if (route === '.well-known/openid-configuration' || route === 'v1/.well-known/openidconfiguration') {
    if (ctx.method !== 'GET') return wrongMethod(ctx);
    sendJson(ctx, 200, {
      issuer: BOT_FRAMEWORK_ISSUER,
      authorization_endpoint: `${core.baseUrl}/botframework/v1/auth`,
      jwks_uri: `${core.baseUrl}/botframework/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    });
    return true;
  }
  if (route === 'keys') {
    if (ctx.method !== 'GET') return wrongMethod(ctx);
    const ring = keyRing();
    sendJson(ctx, 200, {
      keys: [
        {
          kty: 'RSA',
          use: 'sig',
          kid: ring.botMsteams.kid,
          x5t: ring.botMsteams.kid,
          n: ring.botMsteams.jwk.n,
          e: ring.botMsteams.jwk.e,
          endorsements: ['msteams'],
        },
        {
          kty: 'RSA',
          use: 'sig',
          kid: ring.botUnendorsed.kid,
          x5t: ring.botUnendorsed.kid,
          n: ring.botUnendorsed.jwk.n,
          e: ring.botUnendorsed.jwk.e,
          endorsements: ['webchat'],
        },
        {
          kty: 'RSA',
          use: 'sig',
          kid: ring.botMultichannel.kid,
          x5t: ring.botMultichannel.kid,
          n: ring.botMultichannel.jwk.n,
          e: ring.botMultichannel.jwk.e,
          endorsements: [...MULTICHANNEL_ENDORSEMENTS],
        },
      ],
    });
    return true;
  }
  return false;
}

function wrongMethod(ctx: RequestContext): true {
  sendGraphError(ctx, 405, 'MethodNotAllowed', `The HTTP method '${ctx.method}' is not allowed on this resource.`);
  return true;
}

/**
 * Signs a channel → bot token the way the Bot Framework does for Teams: RS256 with `iss`, `aud`
 * (the bot's app id), `serviceurl`, `nbf`, `exp` and no `ver`/`appid`/`azp` (which would make
 * botbuilder treat it as a skill or emulator token). keyId 'multichannel' signs with the key endorsed
 * for msteams, webchat and directline; 'foreign' signs with a key that is not
 * published but names the msteams key id, so the signature cannot verify.
 */
export function signChannelToken(core: Core, claims: ChannelTokenClaims): string {
  const ring = keyRing();
  const now = nowSeconds();
  const payload = {
    serviceurl: claims.serviceUrl,
    nbf: now - 5,
    exp: now + (claims.expiresInSeconds ?? 3600),
    iss: claims.issuer ?? BOT_FRAMEWORK_ISSUER,
    aud: claims.audience ?? core.state.fixture.bot.appId,
  };
  const keyId = claims.keyId ?? 'msteams';
  if (keyId === 'unendorsed') return signJwt(payload, ring.botUnendorsed, { x5t: ring.botUnendorsed.kid });
  if (keyId === 'multichannel') return signJwt(payload, ring.botMultichannel, { x5t: ring.botMultichannel.kid });
  if (keyId === 'foreign') return signJwt(payload, ring.foreign, { kid: ring.botMsteams.kid, x5t: ring.botMsteams.kid });
  return signJwt(payload, ring.botMsteams, { x5t: ring.botMsteams.kid });
}
