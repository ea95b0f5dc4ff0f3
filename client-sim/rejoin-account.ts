/**
 * The account of LwM2mClient.rejoin(): checked, then written as the device's only server
 * account (every other Security and Server instance deleted), so that the next Bootstrap-Request
 * or Register goes to it and the state file holds it.
 */
import { InvalidInputError } from '../common/errors';
import { singleResource, type ResourceNode } from '../objects/node';
import type { RejoinAccount } from './client-options';
import type { ModelObjectEnabler } from './model-object-enabler';
import { DEVICE } from './object-enabler';
import { securityInstanceValues } from './objects/security';
import { checkValue } from './resource-value';
import { checkClientSecurity, securityResources } from './security-credentials';
import { FACTORY_SHORT_SERVER_ID } from './standard-objects';
import { parseServerUri, type ServerTarget } from './uplink';

/** Check a rejoin account; its parsed target. InvalidInputError when unusable. */
export function checkRejoinAccount(account: RejoinAccount): ServerTarget {
  if (typeof account !== 'object' || account === null) throw new InvalidInputError('rejoin needs an account');
  let target: ServerTarget;
  try {
    target = parseServerUri(account.uri);
  } catch (e) {
    throw new InvalidInputError((e as Error).message, { cause: e });
  }
  if (typeof account.bootstrap !== 'boolean') throw new InvalidInputError('account.bootstrap must be true or false');
  checkClientSecurity(account.security, 'account.security');
  if (target.secure !== (account.security.mode !== 'nosec')) {
    throw new InvalidInputError(target.secure
      ? `${account.uri}: a coaps:// server needs psk or x509 security`
      : `${account.uri}: a coap:// server is NoSec; use coaps:// for ${account.security.mode}`);
  }
  if (account.lifetime !== undefined && (!Number.isInteger(account.lifetime) || account.lifetime < 1 || account.lifetime > 0xffffffff)) {
    throw new InvalidInputError('account.lifetime must be a positive integer number of seconds');
  }
  return target;
}

/**
 * Delete every Security and Server instance; create the account as /0/0 (and, for a DM server,
 * /1/0 with Short Server ID 1 and `defaultLifetime` unless the account sets one).
 */
export async function replaceAccounts(security: ModelObjectEnabler, server: ModelObjectEnabler, account: RejoinAccount, defaultLifetime: number): Promise<void> {
  for (const iid of security.instanceIds()) await security.delete(iid, DEVICE);
  for (const iid of server.instanceIds()) await server.delete(iid, DEVICE);
  const values = securityInstanceValues({
    uri: account.uri, bootstrap: account.bootstrap, ...securityResources(account.security),
    ...(account.bootstrap ? {} : { shortServerId: FACTORY_SHORT_SERVER_ID }),
  });
  await security.create(0, instanceNodes(security, values), DEVICE);
  if (!account.bootstrap) {
    await server.create(0, instanceNodes(server, {
      0: FACTORY_SHORT_SERVER_ID, 1: account.lifetime ?? defaultLifetime, 5: 86400, 6: false, 7: 'U',
    }), DEVICE);
  }
}

/** Resource nodes of a new instance from plain values, checked against the object's model. */
function instanceNodes(enabler: ModelObjectEnabler, values: Record<number, unknown>): ResourceNode[] {
  return Object.entries(values).map(([rid, value]) => {
    const model = enabler.model.resources.get(Number(rid));
    if (!model) throw new InvalidInputError(`/${enabler.id}/?/${rid} is not in the model`);
    return singleResource(Number(rid), model.type, checkValue(model.type, value, `/${enabler.id}/0/${rid}`));
  });
}
