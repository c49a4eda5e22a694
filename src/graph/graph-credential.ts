import { createHash, X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import type { Config } from '../config/config';
import type { Logger } from '../log/logger';

/** A failure to obtain the migration app's token, with a message safe to show an admin. */
export class CredentialError extends Error {
  constructor(
    message: string,
    readonly errorCode: string,
  ) {
    super(message);
    this.name = 'CredentialError';
  }
}

interface CertificateCredential {
  thumbprintSha256: string;
  privateKey: string;
  x5c: string;
}

/**
 * Reads a PEM holding the private key and the certificate, and computes the SHA-256 thumbprint MSAL
 * puts in the assertion header. Errors name the variable, never the file's contents.
 */
export function readCertificateCredential(pemPath: string): CertificateCredential {
  let pem: string;
  try {
    pem = readFileSync(pemPath, 'utf8');
  } catch {
    throw new CredentialError('GRAPH_CERTIFICATE_PATH cannot be read', 'certificate_unreadable');
  }
  const keyMatch = pem.match(/-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/);
  const certMatch = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/);
  if (!keyMatch || !certMatch) {
    throw new CredentialError('GRAPH_CERTIFICATE_PATH must be a PEM file with both a private key and a certificate', 'certificate_invalid');
  }
  try {
    const cert = new X509Certificate(certMatch[0]);
    // MSAL wants PKCS#8; convert whatever form the key was saved in.
    const privateKey = createPrivateKey(keyMatch[0]).export({ format: 'pem', type: 'pkcs8' }).toString();
    return {
      thumbprintSha256: createHash('sha256').update(cert.raw).digest('hex'),
      privateKey,
      x5c: certMatch[0],
    };
  } catch {
    throw new CredentialError('GRAPH_CERTIFICATE_PATH holds a key or certificate that cannot be parsed', 'certificate_invalid');
  }
}

export interface GraphTokenProvider extends AuthenticationProvider {
  /** The scope tokens are requested for, e.g. `https://graph.microsoft.com/.default`. */
  readonly scope: string;
}

/**
 * Builds the migration app's app-only credential: an MSAL `ConfidentialClientApplication` with its
 * own token cache (one token request per token lifetime), exposed as graph-client's
 * `AuthenticationProvider`. This identity is the only one that ever calls Graph.
 */
export function createGraphTokenProvider(graph: Config['graph'], logger: Logger): GraphTokenProvider {
  const authority = `${graph.authorityHost}/${graph.tenantId}`;
  const host = new URL(graph.authorityHost).host;
  const msal = new ConfidentialClientApplication({
    auth: {
      clientId: graph.clientId,
      authority,
      // A non-Microsoft authority (the emulator, a sovereign proxy) must be declared or MSAL
      // tries Microsoft's instance discovery, which cannot answer for it.
      knownAuthorities: [host],
      ...(graph.credential.kind === 'secret'
        ? { clientSecret: graph.credential.secret }
        : { clientCertificate: readCertificateCredential(graph.credential.path) }),
    },
    system: {
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (level, message) => {
          if (level <= LogLevel.Warning) logger.warn({ component: 'msal' }, message);
        },
      },
    },
  });
  const scope = `${graph.endpoint}/.default`;
  // MSAL caches tokens but does not merge concurrent misses: at a cold start (or at renewal) many
  // turns at once would each ask Entra. One request in flight serves them all.
  let inFlight: Promise<string> | null = null;
  const acquire = async (): Promise<string> => {
    try {
      const result = await msal.acquireTokenByClientCredential({ scopes: [scope] });
      if (!result?.accessToken) throw new CredentialError('Entra ID returned no access token', 'no_token');
      return result.accessToken;
    } catch (err) {
      if (err instanceof CredentialError) throw err;
      const e = err as { errorCode?: string; errorMessage?: string; message?: string };
      const code = e.errorCode ?? 'token_error';
      // MSAL messages carry the AADSTS code and description, never the secret or a token.
      const detail = (e.errorMessage ?? e.message ?? '').split('\n')[0].slice(0, 300);
      logger.error({ component: 'graph-credential', errorCode: code, detail }, 'could not get a Graph token');
      throw new CredentialError(`The migration app could not sign in to Microsoft Entra ID (${code}${detail ? `: ${detail}` : ''}).`, code);
    }
  };
  return {
    scope,
    getAccessToken(): Promise<string> {
      inFlight ??= acquire().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };
}
