// What the security tests share: an in-process gRPC caller of a real `serve`
// (typed calls, raw bytes, the error's FLOE-DQ code), a health poller that runs
// beside the attacks, and a record of everything the host sent back.
import { contract, errorInfoFromServiceError } from "@floe/quality-sdk";
import {
  type Client,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
} from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";

export interface CallFailure {
  grpcCode: number;
  details: string;
  reason: string | null;
}

export type Answer<T> = { response: T } | { error: CallFailure };

const HostClient = makeGenericClientConstructor(
  contract.QualityHostServiceService,
  "QualityHostService",
);
const HealthClient = makeGenericClientConstructor(healthService as never, "Health");

function failure(error: ServiceError): CallFailure {
  return {
    grpcCode: error.code,
    details: error.details,
    reason: errorInfoFromServiceError(error)?.reason ?? null,
  };
}

/** A caller of one serve: every answer (and failure) is kept for the leak check. */
export class Caller {
  readonly transcript: string[] = [];
  private readonly client: Client & Record<string, (...args: unknown[]) => unknown>;

  constructor(
    readonly target: string,
    private readonly token: string | undefined,
  ) {
    this.client = new HostClient(target, credentials.createInsecure(), {
      "grpc.max_send_message_length": 64 * 1024 * 1024,
      "grpc.max_receive_message_length": 64 * 1024 * 1024,
    }) as never;
  }

  private metadata(token: string | undefined = this.token): Metadata {
    const m = new Metadata();
    if (token !== undefined) m.set("authorization", `Bearer ${token}`);
    return m;
  }

  private keep<T>(answer: Answer<T>): Answer<T> {
    this.transcript.push(JSON.stringify(answer));
    return answer;
  }

  unary<T>(method: string, request: unknown, token?: string | null): Promise<Answer<T>> {
    return new Promise((done) =>
      this.client[method]!(
        request,
        token === null ? new Metadata() : this.metadata(token ?? this.token),
        { deadline: Date.now() + 120_000 },
        (error: ServiceError | null, response: T) =>
          done(this.keep(error ? { error: failure(error) } : { response })),
      ),
    );
  }

  /** RunQualityChecks: every streamed message, or the failure. */
  run(
    request: Partial<contract.RunQualityChecksRequest>,
  ): Promise<Answer<contract.RunQualityChecksResponse[]>> {
    return new Promise((done) => {
      const events: contract.RunQualityChecksResponse[] = [];
      const stream = this.client.runQualityChecks!(
        contract.RunQualityChecksRequest.fromPartial(request),
        this.metadata(),
        { deadline: Date.now() + 120_000 },
      ) as NodeJS.EventEmitter;
      stream.on("data", (e: contract.RunQualityChecksResponse) => events.push(e));
      stream.on("error", (error: ServiceError) => done(this.keep({ error: failure(error) })));
      stream.on("end", () => done(this.keep({ response: events })));
    });
  }

  /** Raw request bytes to a method (unary or server-streaming), bypassing the stubs. */
  raw(method: string, bytes: Buffer, streaming: boolean): Promise<Answer<unknown>> {
    const identity = (b: Buffer) => b;
    const path = `/floe.quality.v1.QualityHostService/${method}`;
    return new Promise((done) => {
      if (streaming) {
        const stream = this.client.makeServerStreamRequest(
          path,
          identity,
          identity,
          bytes,
          this.metadata(),
          { deadline: Date.now() + 60_000 },
        );
        stream.on("data", () => undefined);
        stream.on("error", (error: ServiceError) => done(this.keep({ error: failure(error) })));
        stream.on("end", () => done(this.keep({ response: "streamed" })));
        return;
      }
      this.client.makeUnaryRequest(
        path,
        identity,
        identity,
        bytes,
        this.metadata(),
        { deadline: Date.now() + 60_000 },
        (error: ServiceError | null) =>
          done(this.keep(error ? { error: failure(error) } : { response: "answered" })),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

/** The failure of an answer; fails the test when the call succeeded. */
export function failed<T>(answer: Answer<T>): CallFailure {
  if ("error" in answer) return answer.error;
  throw new Error(`expected a refusal, got ${JSON.stringify(answer.response).slice(0, 300)}`);
}

export function succeeded<T>(answer: Answer<T>): T {
  if ("response" in answer) return answer.response;
  throw new Error(`expected an answer, got ${JSON.stringify(answer.error)}`);
}

/**
 * Health/Check every `intervalMs` until stopped, each with a generous deadline;
 * every answer is recorded with the time it came, so a test can say which came
 * while another call was in flight.
 */
export function pollHealth(target: string, intervalMs = 100) {
  const client = new HealthClient(target, credentials.createInsecure()) as unknown as {
    check(
      request: { service: string },
      metadata: Metadata,
      options: { deadline: number },
      callback: (error: ServiceError | null, response?: { status: string }) => void,
    ): void;
    close(): void;
  };
  const answers: Array<{ at: number; status: string }> = [];
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    inFlight = new Promise<void>((done) =>
      client.check(
        { service: "floe.quality.v1.QualityHostService" },
        new Metadata(),
        { deadline: Date.now() + 5_000 },
        (error, response) => {
          answers.push({
            at: Date.now(),
            status: error ? `error ${error.code}: ${error.details}` : (response?.status ?? "?"),
          });
          done();
          setTimeout(tick, intervalMs);
        },
      ),
    );
  };
  tick();
  return {
    answers,
    async stop() {
      stopped = true;
      await inFlight;
      client.close();
    },
  };
}
