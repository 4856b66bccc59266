import ArgumentParser
import AsyncHTTPClient
import AtriumCluster
import AtriumRuntime
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// `atrium bench-docs`: a large document uploaded and downloaded through the real DocService,
/// beside a plain copy of the same bytes on the same disk, with DocService's resident memory
/// sampled throughout (an upload is streamed, so it should stay flat however large the file).
struct BenchDocs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-docs", abstract: "Measure document upload and download against a plain file copy, and memory during the upload.")

    @Option(help: "Size of the document in MiB.")
    var mebibytes = 1024

    @Option(help: "Run on PostgreSQL at this URL instead of SQLite.")
    var postgres: String?

    func run() async throws {
        let secret = String(repeating: "b", count: 40)
        let (cluster, _) = try await BenchCluster.start(binDirectory: try Launcher.binDirectory(), secret: secret, postgres: postgres)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("atrium-bench-docs-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            try await measure(cluster, scratch: scratch)
        } catch {
            await cluster.stop()
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
        await cluster.stop()
        try? FileManager.default.removeItem(at: scratch)
    }

    private func measure(_ cluster: Cluster, scratch: URL) async throws {
        let bytes = Int64(mebibytes) << 20
        let source = scratch.appendingPathComponent("source.bin")
        try BenchFile.write(source, bytes: bytes)
        let copySeconds = try BenchFile.copy(source, to: scratch.appendingPathComponent("copy.bin"))
        try? FileManager.default.removeItem(at: scratch.appendingPathComponent("copy.bin"))
        let copyRate = Double(bytes) / copySeconds / 1_048_576
        say(String(format: "baseline: plain copy of %d MiB on the same disk: %.2f s, %.0f MiB/s", mebibytes, copySeconds, copyRate))
        let readRate = Double(bytes) / (try BenchFile.read(source)) / 1_048_576
        say(String(format: "baseline: plain read of the same file (from the page cache, as a download reads a fresh blob): %.0f MiB/s", readRate))

        let (owner, account) = try await BenchFirm.signUp(cluster)
        let folder = try await BenchHTTP.send(.POST, cluster.url(.doc) + "/v1/accounts/\(account)/folders", token: owner, json: ["name": "Bench"])
        guard let folderID = folder["id"] as? String else { throw ValidationError("folder creation failed: \(folder)") }
        let pid = cluster.processes[.doc]?.processIdentifier
        let idle = BenchMemory(pid: pid).rss
        let sampler = RSSSampler(pid: pid)
        let sampling = Task { await sampler.run() }
        let started = ContinuousClock.now
        let document = try await BenchUpload.send(source, bytes: bytes, to: cluster.url(.doc) + "/v1/accounts/\(account)/folders/\(folderID)/documents",
                                                  token: owner)
        let uploadSeconds = (ContinuousClock.now - started).seconds
        sampling.cancel()
        let peak = await sampling.value
        let uploadRate = Double(bytes) / uploadSeconds / 1_048_576
        say(String(format: "upload (multipart, streamed to the blob store, SHA-256 on the way): %.2f s, %.0f MiB/s → %.2f of the copy",
                   uploadSeconds, uploadRate, uploadRate / copyRate))
        say("doc-service RSS: \(idle / 1024) MiB before, peak \(peak / 1024) MiB during the upload (sampled every 20 ms)")

        let downloadStarted = ContinuousClock.now
        let received = try await BenchUpload.download(cluster.url(.doc) + "/v1/documents/\(document)/content", token: owner)
        let downloadSeconds = (ContinuousClock.now - downloadStarted).seconds
        guard received == bytes else { throw ValidationError("downloaded \(received) bytes of \(bytes)") }
        let downloadRate = Double(bytes) / downloadSeconds / 1_048_576
        say(String(format: "download (streamed from the blob store over loopback): %.2f s, %.0f MiB/s → %.2f of the plain read",
                   downloadSeconds, downloadRate, downloadRate / readRate))
    }
}

/// Samples a process's resident memory until cancelled; answers the largest sample in KiB.
struct RSSSampler: Sendable {
    let pid: Int32?

    func run() async -> Int {
        var peak = 0
        while !Task.isCancelled {
            peak = max(peak, BenchMemory.currentRSS(pid))
            try? await Task.sleep(for: .milliseconds(20))
        }
        return max(peak, BenchMemory.currentRSS(pid))
    }
}

extension BenchMemory {
    /// `VmRSS` of `/proc/<pid>/status`, in KiB (cheap enough to sample often).
    static func currentRSS(_ pid: Int32?) -> Int {
        guard let pid, let file = FileHandle(forReadingAtPath: "/proc/\(pid)/status"), let data = try? file.readToEnd(),
              let status = String(data: data, encoding: .utf8) else { return 0 }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
    }
}

/// The bench's file: pseudo-random bytes (so nothing on the way can compress them), and a plain copy.
enum BenchFile {
    static let chunk = 1 << 20

    static func write(_ url: URL, bytes: Int64) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var generator = SplitMix64(seed: 42)
        var block = [UInt8](repeating: 0, count: chunk)
        var written: Int64 = 0
        while written < bytes {
            for index in stride(from: 0, to: chunk, by: 8) { withUnsafeBytes(of: generator.next()) { block.replaceSubrange(index..<index + 8, with: $0) } }
            let count = Int(min(Int64(chunk), bytes - written))
            try handle.write(contentsOf: block[0..<count])
            written += Int64(count)
        }
        try handle.synchronize()
    }

    /// Seconds to read `source` in 1 MiB blocks.
    static func read(_ source: URL) throws -> Double {
        let started = ContinuousClock.now
        let input = try FileHandle(forReadingFrom: source)
        defer { try? input.close() }
        while let data = try input.read(upToCount: chunk), !data.isEmpty {}
        return (ContinuousClock.now - started).seconds
    }

    /// Seconds to read `source` and write a copy in 1 MiB blocks, synced to disk at the end.
    static func copy(_ source: URL, to target: URL) throws -> Double {
        let started = ContinuousClock.now
        _ = FileManager.default.createFile(atPath: target.path, contents: nil)
        let input = try FileHandle(forReadingFrom: source)
        let output = try FileHandle(forWritingTo: target)
        defer {
            try? input.close()
            try? output.close()
        }
        while let data = try input.read(upToCount: chunk), !data.isEmpty { try output.write(contentsOf: data) }
        try output.synchronize()
        return (ContinuousClock.now - started).seconds
    }
}

/// A streamed multipart upload of one file, and a streamed download.
enum BenchUpload {
    /// Uploads `file` as the one part of a `multipart/form-data` body; answers the document's id.
    static func send(_ file: URL, bytes: Int64, to url: String, token: String) async throws -> String {
        let boundary = "atrium-bench-\(UUID().uuidString)"
        let head = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.bin\"\r\n"
                              + "Content-Type: application/octet-stream\r\n\r\n")
        let tail = ByteBuffer(string: "\r\n--\(boundary)--\r\n")
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "authorization", value: token)
        request.headers.add(name: "content-type", value: "multipart/form-data; boundary=\(boundary)")
        let parts = FileParts(file: file, head: head, tail: tail)
        request.body = .stream(parts, length: .known(Int64(head.readableBytes) + bytes + Int64(tail.readableBytes)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(3600))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .created,
              let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              let items = json["items"] as? [[String: Any]], let id = items.first?["id"] as? String
        else { throw ValidationError("upload failed: \(response.status) \(String(buffer: body))") }
        return id
    }

    /// Downloads `url`, counting the bytes without keeping them.
    static func download(_ url: String, token: String) async throws -> Int64 {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "authorization", value: token)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(3600))
        guard response.status == .ok else { throw ValidationError("download failed: \(response.status)") }
        var count: Int64 = 0
        for try await chunk in response.body { count += Int64(chunk.readableBytes) }
        return count
    }
}

/// The head of the part, the file in 1 MiB chunks read as they are sent, and the closing boundary.
struct FileParts: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let file: URL
    let head: ByteBuffer
    let tail: ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        var stage = 0
        let parts: FileParts
        var handle: FileHandle?

        mutating func next() async throws -> ByteBuffer? {
            switch stage {
            case 0:
                stage = 1
                handle = try FileHandle(forReadingFrom: parts.file)
                return parts.head
            case 1:
                if let data = try handle?.read(upToCount: BenchFile.chunk), !data.isEmpty { return ByteBuffer(bytes: data) }
                try handle?.close()
                stage = 2
                return parts.tail
            default:
                return nil
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(parts: self) }
}
