/**
 * The domain errors actions may throw. `trpc.ts` maps each to a tRPC code in one place; any
 * other error is an internal one whose message never reaches a client.
 */
export abstract class DomainError extends Error {
  override name = this.constructor.name;
}

/** The thing does not exist, or exists in another organization (which is the same to the caller). */
export class NotFound extends DomainError {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} was not found`);
  }
}

/** The signed-in user may not do this. */
export class Forbidden extends DomainError {}

/** The request is well-formed but breaks a rule; `fieldErrors` names each field's problem. */
export class Invalid extends DomainError {
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

/** The request clashes with the current state (a duplicate name, a stale version). */
export class Conflict extends DomainError {}
