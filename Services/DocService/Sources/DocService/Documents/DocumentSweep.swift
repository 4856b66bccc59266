import AtriumRuntime
import Foundation
import Logging

/// Removes what no document owns any more: the bytes and rows of uploads cut off by a crash, of
/// deletes interrupted after their commit, the store's own temporaries and spooled zips.
struct DocumentSweep: Sendable {
    let database: Database
    let documents: DocumentRepository
    let blobs: any BlobStore
    /// Where uploaded zips wait to be unpacked; its leftovers go with the store's temporaries.
    var spool: UploadSpool?

    /// Removes one row's bytes, then the row (in that order: a failure leaves the row to retry).
    func remove(_ document: DocumentRecord) async throws {
        try await blobs.delete(try BlobKey(document.blobKey))
        try await documents.delete(document.id, on: database.sql)
    }

    /// Sweeps everything abandoned before `cutoff`; answers how many rows it removed.
    @discardableResult
    func run(before cutoff: Date) async throws -> Int {
        var removed = 0
        while true {
            let batch = try await documents.abandoned(before: EpochMillis.now(cutoff), limit: 100, on: database.sql)
            for document in batch {
                try await remove(document)
            }
            removed += batch.count
            if batch.count < 100 { break }
        }
        try await blobs.removeAbandoned(before: cutoff)
        try await spool?.removeAbandoned(before: cutoff)
        return removed
    }
}

/// The periodic sweep (hourly by default) as a job of the durable queue: unique per period, so it
/// runs once across replicas.
enum DocumentSweepJob {
    struct Run: Codable, Sendable {}

    static let kind = JobKind<Run>("doc.document.sweep", maxAttempts: 3)

    /// Enqueues the run of the period after `now` (milliseconds); enqueueing it twice changes nothing.
    static func scheduleNext(_ database: Database, after now: Int64, every: Duration) async throws {
        let everyMillis = max(1000, every.milliseconds)
        let period = now / everyMillis + 1
        try await database.transaction { tx in
            try await JobQueue.enqueue(kind, Run(), runAt: period * everyMillis, uniqueKey: "\(kind.name):\(everyMillis):\(period)", in: tx)
        }
    }

    /// The handler: sweeps what was abandoned `age` ago or earlier, then schedules the next run.
    static func handlers(_ sweep: DocumentSweep, age: Duration, every: Duration) -> JobHandlers {
        var jobs = JobHandlers()
        jobs.register(kind) { _, _ in
            let now = Date()
            try await sweep.run(before: now.addingTimeInterval(-TimeInterval(age.components.seconds)))
            try await scheduleNext(sweep.database, after: EpochMillis.now(now), every: every)
            return .succeeded()
        }
        return jobs
    }
}
