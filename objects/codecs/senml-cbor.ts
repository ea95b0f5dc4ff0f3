/** application/senml+cbor (content format 112, LwM2M 1.1 Core §7.4.6): SenML CBOR records. */
import { ContentFormat } from '../content-format';
import { decodeSenmlCbor, encodeSenmlCbor } from './senml-cbor-wire';
import { senmlCodec } from './senml-codec';

export const senmlCborCodec = senmlCodec(ContentFormat.SENML_CBOR, 'SENML_CBOR', { decode: decodeSenmlCbor, encode: encodeSenmlCbor });
