import { describe, expect, it } from 'vitest';
import {
  TelemetryUpdatedDetailSchema,
  isTelemetryUpdatedDetail,
} from '../../../../src/domain/events/catalog/index.ts';
import { SAMPLE_VIN, makeDetail, makeTelemetryVehicles } from '../../../support/event-factories.ts';

/**
 * The hand-written check lets packing skip zod for valid batches, so it must never accept what the
 * schema refuses. Each case below is run through both; they must agree.
 */
const base = makeDetail('Telemetry.Updated', { vehicles: makeTelemetryVehicles(3) });
const [first] = base.vehicles;

const withVehicle = (vehicle: unknown): unknown => ({
  ...base,
  vehicles: [vehicle, ...base.vehicles.slice(1)],
});
const withSignals = (signals: unknown): unknown => withVehicle({ ...first, signals });
class NotPlain {
  readonly latitude = 1;
}

const cases: [string, unknown][] = [
  ['the example', makeDetail('Telemetry.Updated')],
  ['generated vehicles', base],
  ['not an object', 'Telemetry'],
  ['null', null],
  ['an array', [base]],
  ['version 2', { ...base, version: 2 }],
  ['version "1"', { ...base, version: '1' }],
  ['missing tenantId', { ...base, tenantId: undefined }],
  ['tenantId a VIN', { ...base, tenantId: SAMPLE_VIN }],
  ['tenantId with a space', { ...base, tenantId: 'acme logistics' }],
  ['tenantId too long', { ...base, tenantId: 'a'.repeat(65) }],
  ['occurredAt with offset', { ...base, occurredAt: '2025-03-14T09:26:53+01:00' }],
  ['occurredAt without seconds', { ...base, occurredAt: '2025-03-14T09:26Z' }],
  ['occurredAt Feb 30', { ...base, occurredAt: '2025-02-30T09:26:53Z' }],
  ['an extra detail key', { ...base, extra: 1 }],
  ['an extra undefined key', { ...base, extra: undefined }],
  ['no vehicles', { ...base, vehicles: [] }],
  ['vehicles not an array', { ...base, vehicles: {} }],
  ['a duplicate vehicle', { ...base, vehicles: [...base.vehicles, first] }],
  ['vehicle null', withVehicle(null)],
  ['vehicle with extra key', withVehicle({ ...first, extra: true })],
  ['vehicle without at', withVehicle({ vehicleId: first?.vehicleId, signals: first?.signals })],
  ['vehicleId a VIN', withVehicle({ ...first, vehicleId: SAMPLE_VIN })],
  ['vehicleId 21 chars', withVehicle({ ...first, vehicleId: 'a'.repeat(21) })],
  ['vehicleId with +', withVehicle({ ...first, vehicleId: `${'a'.repeat(21)}+` })],
  ['at with offset', withVehicle({ ...first, at: '2025-03-14T09:26:53.000+00:00' })],
  ['no signals', withSignals({})],
  ['signals an array', withSignals([1])],
  ['signal named Vin', withSignals({ Vin: 'x' })],
  ['signal named vin', withSignals({ vin: 'x' })],
  ['signal name with dash', withSignals({ 'Door-State': true })],
  ['signal name too long', withSignals({ ['A'.repeat(65)]: 1 })],
  ['signal Field250', withSignals({ Field250: 3 })],
  ['string signal a VIN', withSignals({ Name: SAMPLE_VIN })],
  ['string signal a lowercase VIN', withSignals({ Name: SAMPLE_VIN.toLowerCase() })],
  ['string signal of 17 chars with I', withSignals({ Name: 'IIIIIIIIIIIIIIIII' })],
  ['empty string signal', withSignals({ Name: '' })],
  ['NaN signal', withSignals({ Speed: Number.NaN })],
  ['Infinity signal', withSignals({ Speed: Number.POSITIVE_INFINITY })],
  ['-0 signal', withSignals({ Speed: -0 })],
  ['undefined signal', withSignals({ Speed: undefined })],
  ['bigint signal', withSignals({ Speed: 1n })],
  ['array signal', withSignals({ Speed: [1] })],
  ['location', withSignals({ Location: { latitude: 1, longitude: 2 } })],
  ['location at the bounds', withSignals({ Location: { latitude: -90, longitude: 180 } })],
  ['location out of range', withSignals({ Location: { latitude: 90.1, longitude: 0 } })],
  ['location with strings', withSignals({ Location: { latitude: '1', longitude: '2' } })],
  ['location with altitude', withSignals({ Location: { latitude: 1, longitude: 2, altitude: 3 } })],
  ['location NaN', withSignals({ Location: { latitude: Number.NaN, longitude: 2 } })],
  ['only latitude', withSignals({ Thing: { latitude: 500 } })],
  ['doors', withSignals({ DoorState: { DriverFront: true, DriverRear: false } })],
  ['nested JSON', withSignals({ Semi: { a: [1, { b: null, c: 'x' }], d: { e: false } } })],
  ['nested undefined', withSignals({ Semi: { a: undefined } })],
  ['nested NaN', withSignals({ Semi: { a: [Number.NaN] } })],
  ['nested function', withSignals({ Semi: { a: () => 1 } })],
  ['nested Date', withSignals({ Semi: { a: new Date(0) } })],
  ['class instance signal', withSignals({ Thing: new NotPlain() })],
  ['Map signal', withSignals({ Thing: new Map() })],
  ['null-prototype signal', withSignals({ Thing: Object.assign(Object.create(null) as object, { a: 1 }) })],
];

describe('isTelemetryUpdatedDetail agrees with TelemetryUpdatedDetailSchema', () => {
  it.each(cases)('%s', (_, value) => {
    expect(isTelemetryUpdatedDetail(value)).toBe(TelemetryUpdatedDetailSchema.safeParse(value).success);
  });
});
