import AtriumRuntime
import Foundation

/// What a move by hand decided for the previous stage's unfinished threads, done in ChatService
/// after the move committed: unlinked from the job, or archived. Durable, so a crash between the
/// move and these calls still carries them out; both calls change nothing the second time.
struct ThreadReleaseJob: Sendable {
    static let kind = JobKind<Payload>("pipeline.thread.release", maxAttempts: 20)

    struct Payload: Codable, Sendable {
        var jobID: String
        var threadIDs: [String]
        /// `unlink` or `close`.
        var choice: String
    }

    let downstream: any PipelineDownstream

    func run(_ payload: Payload) async throws -> JobResult {
        do {
            for thread in payload.threadIDs {
                if payload.choice == UnfinishedChoice.close.rawValue {
                    try await downstream.archive(thread: thread)
                } else {
                    try await downstream.unlink(thread: thread, job: payload.jobID)
                }
            }
            return .succeeded()
        } catch DownstreamError.refused(let why) {
            return .dead(why)
        } catch let error as DownstreamError {
            return .failed(error.description)
        }
    }

    func handlers() -> JobHandlers {
        var handlers = JobHandlers()
        handlers.register(Self.kind, policy: JobRetryPolicy(base: .seconds(2), maxDelay: .seconds(600))) { _, payload in try await run(payload) }
        return handlers
    }
}
