/**
 * Clients of the two provider APIs: Sp1ApiClient (SP2 calls SP1) and Sp2ApiClient (SP1 calls
 * SP2). A refusal comes back as ProviderApiError with the HTTP status and the remote error code.
 */
import { HandoverError } from '../../common/errors';
import type { Arrival } from '../roles/old-provider';
import type { ArrivalRecord } from '../roles/new-provider-store';
import { anchorToJson, type TrustAnchor } from '../roles/trust-anchors';
import { CWT_TYPE, JOSE_TYPE, Routes } from './routes';

/** The other provider refused or failed. ERR_PROVIDER_API; `status`, `remoteCode`. */
export class ProviderApiError extends HandoverError {
  constructor(readonly status: number, readonly remoteCode: string | undefined, message: string, options?: { cause?: unknown }) {
    super('ERR_PROVIDER_API', message, { ...options, details: { status, remoteCode } });
  }
}

export interface ProviderApiClientOptions {
  /** e.g. http://127.0.0.1:8443 */
  readonly baseUrl: string;
  /** The token the other provider issued to us. */
  readonly token: string;
  /** Per request, ms. Default 30000. */
  readonly timeoutMs?: number;
}

class ApiClient {
  constructor(private readonly opts: ProviderApiClientOptions) {}

  protected async call(method: string, path: string, body?: { data: string | Uint8Array; type: string }): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.opts.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: { Authorization: `Bearer ${this.opts.token}`, ...(body ? { 'Content-Type': body.type } : {}) },
        ...(body ? { body: typeof body.data === 'string' ? body.data : Buffer.from(body.data) } : {}),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw new ProviderApiError(0, undefined, `${method} ${path}: ${(e as Error).message}`, { cause: e });
    }
    if (res.status >= 300) {
      const text = await res.text();
      let code: string | undefined;
      let message = text;
      try { const j = JSON.parse(text) as { error?: string; message?: string }; code = j.error; message = j.message ?? text; } catch { /* not JSON */ }
      throw new ProviderApiError(res.status, code, `${method} ${path}: ${res.status} ${message}`);
    }
    return res;
  }
}

/** SP2's client of SP1's API. */
export class Sp1ApiClient extends ApiClient {
  async updateInfoList(): Promise<string> {
    return (await this.call('GET', Routes.updateInfoList)).text();
  }

  async sendTransferMessage(bytes: Uint8Array): Promise<{ transferId: string; devices: string[] }> {
    return (await this.call('POST', Routes.transferMessage, { data: bytes, type: CWT_TYPE })).json() as Promise<{ transferId: string; devices: string[] }>;
  }

  async sendTrustAnchors(transferId: string, anchors: readonly TrustAnchor[]): Promise<void> {
    await this.call('PUT', Routes.trustAnchors(transferId), { data: JSON.stringify({ anchors: anchors.map(anchorToJson) }), type: 'application/json' });
  }

  async confirmArrival(a: Arrival): Promise<{ duplicate: boolean; revoked: boolean; revokeError?: string }> {
    return (await this.call('POST', Routes.arrivals, { data: JSON.stringify(a), type: 'application/json' })).json() as Promise<{ duplicate: boolean; revoked: boolean }>;
  }
}

/** SP1's client of SP2's API. */
export class Sp2ApiClient extends ApiClient {
  async sendUpdateInfoList(jws: string): Promise<{ transferId: string; devices: string[] }> {
    return (await this.call('POST', Routes.updateInfoList, { data: jws, type: JOSE_TYPE })).json() as Promise<{ transferId: string; devices: string[] }>;
  }

  async transferMessage(transferId: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.call('GET', Routes.transferMessageOf(transferId))).arrayBuffer());
  }

  async arrival(transferId: string, deviceId: string): Promise<ArrivalRecord & { transferId: string }> {
    return (await this.call('GET', Routes.arrivalOf(transferId, deviceId))).json() as Promise<ArrivalRecord & { transferId: string }>;
  }
}
