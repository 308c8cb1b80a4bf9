/** Base error of the vehicle registration module. */
export class VehicleError extends Error {
  override readonly name: string = 'VehicleError';
}

/** The VIN is not 17 characters of ISO 3779's alphabet. */
export class InvalidVinError extends VehicleError {
  override readonly name = 'InvalidVinError';
}

/** The vehicle is already registered, to another tenant (or under another name when that matters). */
export class VehicleAlreadyRegisteredError extends VehicleError {
  override readonly name = 'VehicleAlreadyRegisteredError';
}

/** A registration field is missing or malformed. */
export class InvalidRegistrationError extends VehicleError {
  override readonly name = 'InvalidRegistrationError';
}
