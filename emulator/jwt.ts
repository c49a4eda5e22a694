import * as crypto from 'node:crypto';
import { asObject } from './json';

/** A JWT split into its parts, not yet trusted. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** An RSA signing key built from PEM (never straight from generateKeyPairSync: see platform notes). */
export interface SigningKey {
  kid: string;
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  /** public JWK (kty, n, e) */
  jwk: { kty: string; n: string; e: string };
}

/** base64url without padding. */
export function b64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

/**
 * Creates an RSA-2048 key pair. The pair is generated as PEM and the key objects are rebuilt from
 * the PEM strings, because exporting a JWK from a key object that came straight out of
 * generateKeyPairSync can deadlock Node 20 during garbage collection.
 */
export function createSigningKey(kid: string): SigningKey {
  const pair = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const privateKey = crypto.createPrivateKey(pair.privateKey);
  const publicKey = crypto.createPublicKey(pair.publicKey);
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string };
  return { kid, privateKey, publicKey, jwk: { kty: jwk.kty, n: jwk.n, e: jwk.e } };
}

/** Signs header + payload with RS256 and returns the compact JWT. */
export function signJwt(payload: Record<string, unknown>, key: SigningKey, extraHeader: Record<string, unknown> = {}): string {
  const header = { typ: 'JWT', alg: 'RS256', kid: key.kid, ...extraHeader };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = crypto.sign('sha256', Buffer.from(input), key.privateKey);
  return `${input}.${b64url(signature)}`;
}

/** Splits a compact JWT; null when it is not three base64url JSON parts. */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = asObject(JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')));
    const payload = asObject(JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')));
    if (!header || !payload) return null;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
  } catch {
    return null;
  }
}

/**
 * Verifies the signature of a decoded JWT with an RSA public key. RS256 and PS256 are accepted:
 * MSAL signs client assertions with PS256 when given a SHA-256 thumbprint and RS256 otherwise.
 */
export function verifyJwtSignature(jwt: DecodedJwt, publicKey: crypto.KeyObject): boolean {
  const data = Buffer.from(jwt.signingInput);
  try {
    if (jwt.header.alg === 'RS256') return crypto.verify('sha256', data, publicKey, jwt.signature);
    if (jwt.header.alg === 'PS256') {
      return crypto.verify(
        'sha256',
        data,
        { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO },
        jwt.signature,
      );
    }
  } catch {
    return false;
  }
  return false;
}

/** Seconds since the epoch. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
