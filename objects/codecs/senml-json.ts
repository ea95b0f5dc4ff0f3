/** application/senml+json (content format 110, LwM2M 1.1 Core §7.4.5): SenML JSON records. */
import { ContentFormat } from '../content-format';
import { decodeSenmlJson, encodeSenmlJson } from './senml-json-wire';
import { senmlCodec } from './senml-codec';

export const senmlJsonCodec = senmlCodec(ContentFormat.SENML_JSON, 'SENML_JSON', { decode: decodeSenmlJson, encode: encodeSenmlJson });
