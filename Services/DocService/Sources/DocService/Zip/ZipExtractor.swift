import Dispatch
public import Foundation

/// One entry's bytes as they are inflated, in chunks of at most the extractor's buffer size.
/// The sequence ends (nil) only after the entry matched its declared size and CRC-32; when it
/// does not, iterating throws the `ZipError`, so a store that reads to the end before committing
/// never commits a bad entry.
public struct ZipEntryBytes: AsyncSequence, Sendable {
    public typealias Element = Data
    let pipe: ChunkPipe

    public struct AsyncIterator: AsyncIteratorProtocol {
        let pipe: ChunkPipe

        public mutating func next() async throws -> Data? {
            try await pipe.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(pipe: pipe)
    }
}

/// Unpacks the files of a `ZipPlan` into the caller's store, one entry after another.
public enum ZipExtractor {
    /// Chunks that may wait between the inflating thread and `store`: memory per entry is about
    /// this many times the buffer size.
    static let pipeCapacity = 4

    /// Calls `store` once per planned file, in the plan's order, with the file's bytes as they are
    /// inflated, and returns what each call returned, in the same order. (Folders are the
    /// caller's to create, from `plan.folders`.)
    ///
    /// `store` must read the bytes to the end (nil) before it returns; the end is where size and
    /// CRC-32 are confirmed. ZIPFoundation inflates synchronously, so each entry is inflated on a
    /// Dispatch thread that blocks while `store` is behind, and no task of the concurrency pool waits.
    ///
    /// - Throws: `ZipError` naming the entry when the archive is at fault (the lying directory,
    ///   the failed checksum), `ZipStoreError` naming the entry when `store` failed. Either way
    ///   nothing is returned: whatever earlier calls to `store` kept is the caller's to roll back.
    public static func extract<Stored>(
        _ plan: ZipPlan, from source: ZipSource, bufferSize: Int = 64 << 10, isolation: isolated (any Actor)? = #isolation,
        store: (ZipPlan.File, ZipEntryBytes) async throws -> Stored
    ) async throws -> [Stored] {
        var stored: [Stored] = []
        var spent: Int64 = 0
        for file in plan.files {
            let pipe = ChunkPipe(capacity: pipeCapacity)
            let limits = plan.limits, alreadySpent = spent
            DispatchQueue.global(qos: .userInitiated).async {
                pipe.finish(Result {
                    try ZipEntryReader.read(file, from: source, bufferSize: bufferSize, limits: limits, spent: alreadySpent) {
                        try pipe.send($0)
                    }
                })
            }
            let result: Result<Stored, any Error>
            do { result = .success(try await store(file, ZipEntryBytes(pipe: pipe))) } catch { result = .failure(error) }
            pipe.close()
            // The archive's fault outranks whatever `store` made of it.
            if case .failure(let error as ZipError) = await pipe.outcome() { throw error }
            switch result {
            case .failure(let error): throw ZipStoreError(entry: file.entry, underlying: error)
            case .success where !pipe.drained: throw ZipStoreError(entry: file.entry, underlying: ZipEntryNotDrained())
            case .success(let value): stored.append(value)
            }
            spent += file.size
        }
        return stored
    }
}
