/**
 * Tesla Fleet Telemetry records as they arrive on Kinesis: decoding (binary protobuf and protojson, all
 * four topics), stream-to-topic mapping, and encoders for tests and the simulator. Pure: no I/O.
 */

export { decodeRecord, wireFormatOf } from './decode.ts';
export {
  encodeVehicleAlerts,
  encodeVehicleConnectivity,
  encodeVehicleData,
  encodeVehicleErrors,
} from './encode.ts';
export { TeslaDecodeError, TeslaEncodeError, TeslaError, TeslaUnknownStreamError } from './errors.ts';
export type { TeslaDecodeErrorContext, TeslaDecodeReason } from './errors.ts';
export { ALERT_MILLIS_THRESHOLD_SECONDS, parseLocationString } from './normalize.ts';
export { FIELD_NAMES, FIELD_NUMBERS, signalKeyOf, TESLA_SCHEMA_SOURCE } from './schema.ts';
export { teslaStreamNames, topicOfStream } from './streams.ts';
export type { TeslaStreamNames } from './streams.ts';
export { ENUM_VALUE_MEMBERS, TESLA_TOPICS } from './types.ts';
export type * from './types.ts';
