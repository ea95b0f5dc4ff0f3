/**
 * Registrations and registration updates as Leshan's demo server writes them
 * (JacksonRegistrationSerializer, JacksonRegistrationUpdateSerializer, JacksonLinkSerializer):
 * fixed key order, absent fields left out, `sleeping` only for queue-mode clients.
 */
import type { Link } from '../../objects/link';
import type { RegistrationUpdateInfo } from '../events';
import type { Registration } from '../registration';
import type { Json } from './node-json';

/** A CoRE link: `{"url":…, "attributes":{…}}`, attribute values as written on the wire, null when valueless. */
export function linkToJson(link: Link): Json {
  const attributes: { [name: string]: Json } = {};
  for (const [name, value] of Object.entries(link.attributes)) attributes[name] = value;
  return { url: link.url, attributes };
}

function availableInstances(reg: Registration): { [objectId: string]: Json } {
  const out: { [objectId: string]: Json } = {};
  const ids = Object.keys(reg.availableInstances).map(Number).sort((a, b) => a - b);
  for (const id of ids) {
    const instances = [...new Set(reg.availableInstances[String(id)])].sort((a, b) => a - b);
    out[String(id)] = instances;
  }
  return out;
}

/**
 * A registration. `sleeping` tells, for a queue-mode client, whether it is asleep (Leshan's
 * presence service); it is left out for other clients whatever its value.
 */
export function registrationToJson(reg: Registration, sleeping?: boolean): Json {
  const o: { [key: string]: Json } = {
    endpoint: reg.endpoint,
    registrationId: reg.registrationId,
    registrationDate: reg.registrationDate,
    lastUpdate: reg.lastUpdate,
    address: reg.address,
  };
  if (reg.smsNumber !== undefined) o.smsNumber = reg.smsNumber;
  o.lwM2mVersion = reg.lwM2mVersion;
  o.lifetime = reg.lifetime;
  o.bindingMode = reg.bindingMode;
  o.rootPath = reg.rootPath;
  o.objectLinks = reg.objectLinks.map(linkToJson);
  o.secure = reg.secure;
  o.additionalRegistrationAttributes = { ...reg.additionalRegistrationAttributes };
  o.queuemode = reg.queuemode;
  o.availableInstances = availableInstances(reg);
  if (reg.queuemode) o.sleeping = sleeping ?? true;
  // Our extension (Leshan has no such field): the x509 identity the client registered with.
  if (reg.certificate) o.certificate = { ...reg.certificate };
  return o;
}

/** The `update` half of an UPDATED event. */
export function registrationUpdateToJson(update: RegistrationUpdateInfo): Json {
  const o: { [key: string]: Json } = {
    registrationId: update.registrationId,
    address: update.address,
    lifetime: update.lifetime,
  };
  if (update.objectLinks !== undefined) o.objectLinks = update.objectLinks.map(linkToJson);
  o.secure = update.secure;
  o.additionalAttributes = { ...update.additionalAttributes };
  return o;
}
