/**
 * Every Redis key the LwM2M server uses, in one place, under a configurable prefix (tests use a
 * random one). Endpoint names are used verbatim inside keys: Redis keys are binary-safe, and
 * the ":" separator cannot be confused because each key kind has a fixed number of fixed parts
 * before the variable one.
 */
export class ServerKeys {
  constructor(readonly prefix: string) {}

  /** String: Registration JSON of an endpoint. */
  registration(ep: string): string { return `${this.prefix}:reg:${ep}`; }
  /** String: registration id → endpoint. */
  registrationId(id: string): string { return `${this.prefix}:regid:${id}`; }
  /** Sorted set: endpoint → expiry time (epoch ms). Also the index of all registrations. */
  expiries(): string { return `${this.prefix}:expiry`; }
  /** String with TTL: "transport|host:port" the client speaks from → endpoint (for Send, which names no registration). */
  peer(transport: string, address: string): string { return `${this.prefix}:peer:${transport}|${address}`; }
  /** String with TTL: present while a queue-mode client is considered awake. */
  awake(ep: string): string { return `${this.prefix}:awake:${ep}`; }
  /** List: queued requests (serialised) for a sleeping client, oldest first. */
  queue(ep: string): string { return `${this.prefix}:queue:${ep}`; }
  /** String with TTL: held by the process that drains an endpoint's queue. */
  queueLock(ep: string): string { return `${this.prefix}:queue-lock:${ep}`; }
  /** String: Observation JSON by token (hex) = observation id. */
  observation(token: string): string { return `${this.prefix}:obs:${token}`; }
  /** Set: observation tokens of an endpoint. */
  observationsOf(ep: string): string { return `${this.prefix}:obs-ep:${ep}`; }
  /** String: SecurityInfo JSON of an endpoint. */
  security(ep: string): string { return `${this.prefix}:sec:${ep}`; }
  /** String: PSK identity → endpoint (identities are unique across endpoints). */
  pskIdentity(identity: string): string { return `${this.prefix}:sec-psk:${identity}`; }
  /** Set: endpoints that have security info. */
  securityIndex(): string { return `${this.prefix}:sec-index`; }
  /** String: bootstrap configuration JSON of an endpoint. */
  bootstrapConfig(ep: string): string { return `${this.prefix}:bscfg:${ep}`; }
  /** Set: endpoints with a bootstrap configuration. */
  bootstrapIndex(): string { return `${this.prefix}:bscfg-index`; }
}
