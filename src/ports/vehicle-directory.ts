/** A registered vehicle, as everything outside the VIN vault knows it. */
export interface VehicleRegistration {
  readonly vehicleId: string;
  readonly tenantId: string;
  readonly name: string;
  /** ISO-8601 time of registration. */
  readonly registeredAt: string;
}

/** Which tenant owns which vehicle (DESIGN.md §3 step 3). */
export interface VehicleDirectory {
  /** The registrations of those ids that are registered; others are absent from the map. */
  lookup(vehicleIds: readonly string[]): Promise<Map<string, VehicleRegistration>>;
  /** Registers a vehicle; fails with `VehicleAlreadyRegisteredError` if another tenant has it. */
  register(registration: VehicleRegistration): Promise<void>;
  /** A tenant's vehicles, by vehicle id. */
  list(tenantId: string): Promise<VehicleRegistration[]>;
}

/** The only store of real VINs, encrypted; decrypted only to dispatch a command (DESIGN.md §5). */
export interface VinVault {
  seal(vehicleId: string, tenantId: string, vin: string): Promise<void>;
  /** The VIN, for the command dispatch step only. */
  reveal(vehicleId: string): Promise<string | undefined>;
}
