/** Base of every error the local Step Functions engine raises on its own account. */
export class StepFunctionsError extends Error {
  override name = 'StepFunctionsError';
}

/** A state machine definition the engine refuses: bad JSON, invalid ASL, JSONata, duplicate state names. */
export class InvalidDefinitionError extends StepFunctionsError {
  override name = 'InvalidDefinitionError';
}

/**
 * A task's failure as Step Functions sees it: `name` is the ASL error (`VehicleAsleepError`,
 * `DynamoDB.ConditionalCheckFailedException`, `States.HeartbeatTimeout`) that `Retry` and `Catch` match,
 * and `message` is the cause that `Catch` puts in `Cause`.
 */
export class TaskFailedError extends StepFunctionsError {
  constructor(
    /** The ASL error name. */
    readonly awsError: string,
    /** The cause, a string as in AWS (JSON for Lambda errors). */
    readonly awsCause: string,
  ) {
    super(awsCause);
    this.name = awsError;
  }
}

/** A task token that cannot have been issued by this engine (AWS: `InvalidToken`). */
export class InvalidTaskTokenError extends StepFunctionsError {
  override name = 'InvalidTaskTokenError';
}

/** A well-formed task token whose task is no longer waiting (AWS: `TaskDoesNotExist`). */
export class TaskTokenNotFoundError extends StepFunctionsError {
  override name = 'TaskTokenNotFoundError';
}

/** A task token whose task timed out before the answer came (AWS: `TaskTimedOut`). */
export class TaskTokenTimedOutError extends StepFunctionsError {
  override name = 'TaskTokenTimedOutError';
}

/** A persisted file under `<dataDir>/stepfunctions` that the engine did not write or cannot read. */
export class StepFunctionsStoreError extends StepFunctionsError {
  override name = 'StepFunctionsStoreError';
}

/** A pagination token this engine did not hand out (AWS: `InvalidToken`). */
export class InvalidPageTokenError extends StepFunctionsError {
  override name = 'InvalidPageTokenError';
}
