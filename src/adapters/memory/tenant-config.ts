import type { AlertRule, Geofence } from '../../domain/detectors/index.ts';
import {
  DEFAULT_RETENTION_DAYS,
  type RetentionKind,
  type TenantConfigSource,
  type TenantSettings,
} from '../../ports/tenant-config.ts';

/** One tenant's configuration as given to {@link StaticTenantConfigSource}. */
export interface StaticTenantConfig {
  readonly geofences?: readonly Geofence[];
  readonly alertRules?: readonly AlertRule[];
  readonly timeZone?: string;
  readonly retentionDays?: Partial<Record<RetentionKind, number>>;
}

/**
 * {@link TenantConfigSource} from a fixed map: for tests, and for the ingest path when no configuration
 * store is wired (every tenant then has no geofences, no rules and the default retention). `set` replaces
 * a tenant's configuration, for tests that change it between batches.
 */
export class StaticTenantConfigSource implements TenantConfigSource {
  private readonly configs: Map<string, StaticTenantConfig>;

  constructor(configs: Readonly<Record<string, StaticTenantConfig>> = {}) {
    this.configs = new Map(Object.entries(configs));
  }

  set(tenantId: string, config: StaticTenantConfig): void {
    this.configs.set(tenantId, config);
  }

  async geofences(tenantId: string): Promise<readonly Geofence[]> {
    return this.configs.get(tenantId)?.geofences ?? [];
  }

  async alertRules(tenantId: string): Promise<readonly AlertRule[]> {
    return (this.configs.get(tenantId)?.alertRules ?? []).filter((rule) => rule.enabled !== false);
  }

  async settings(tenantId: string): Promise<TenantSettings> {
    const config = this.configs.get(tenantId);
    return {
      ...(config?.timeZone ? { timeZone: config.timeZone } : {}),
      retentionDays: { ...DEFAULT_RETENTION_DAYS, ...config?.retentionDays },
    };
  }
}
