// The port every finished request goes through when it is recorded request by request: engine/ calls it, io/ implements it.

/** Receives every finished request when --results is given (io/ writes them out). */
export interface ResultsSink {
  /**
   * Times are performance.now(); latencies are µs from the intended start and from the send; `lagUs`
   * is how late the send went out against the plan (the open model), -1 where there is no plan.
   */
  push(
    intended: number,
    sentAt: number,
    latencyUs: number,
    sentLatencyUs: number,
    lagUs: number,
    status: number,
    reasonIndex: number,
    ok: boolean,
    bytes: number,
    /** Sent a second time (the server may have received it twice). */
    retried: boolean,
    targetJson: string,
  ): void;
  /**
   * An arrival of the open model dropped at `intended`: no in-flight slot was free; `byClient` when
   * salvo had fallen behind its plan (see Summary.droppedByClient).
   */
  drop(intended: number, byClient: boolean): void;
  /** Called every few tens of milliseconds with performance.now(): write what is due. */
  flush(now: number): void;
  /** The run is over: write everything left. */
  finish(now: number): void;
  /** Why a write failed, once one has: the run then stops and exits 3 (nothing is written after it). */
  readonly failure: string | undefined;
}
