/**
 * Errors of the command catalog. The catalog and its policy answer with plain JSON decisions, so they
 * throw only for input that no decision can be made on (a caller without a tenant, a decision that is
 * neither approve nor reject): that is a bug upstream, and failing loudly keeps it out of the audit log
 * as a policy outcome.
 */

/** Base class of every error the command catalog throws on purpose. */
export class CommandCatalogError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The input of `authorizeCommand` or `authorizeDecision` is malformed (not the caller's
 * fault but the code's that built it): a missing user or tenant id, roles that are not a list, a
 * decision that is neither `approve` nor `reject`. In a Step Functions task it surfaces as the error
 * name `InvalidAuthorizationInputError`.
 */
export class InvalidAuthorizationInputError extends CommandCatalogError {}
