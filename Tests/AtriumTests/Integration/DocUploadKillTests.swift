import AsyncHTTPClient
import AtriumCluster
import AtriumRuntime
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// DocService killed in the middle of an upload: after the restart nothing of the upload is
/// visible, the sweep removes its row and bytes, and the next upload is stored once.
@Suite("Documents: a DocService killed mid-upload (real processes)")
struct DocUploadKillTests {
    @Test("killed mid-upload: nothing visible, the sweep removes the leftovers, the next upload is stored once", arguments: TestEngine.all)
    func killedMidUpload(engine: TestEngine) async throws {
        // The sweep runs every second and takes an upload idle for a second for dead (a day and an hour by default).
        let settings = ["ATRIUM_DOCUMENTS_SWEEP_AGE_SECONDS": "1", "ATRIUM_DOCUMENTS_SWEEP_EVERY_SECONDS": "1"]
        try await IntegrationHarness.with(engine, services: [.account, .doc], settings: settings) { cluster in
            let token = try await WalkingSkeletonTests.owner(cluster)
            let (created, account) = try await ServiceHTTP(base: cluster.url(.account), token: token)
                .send(.POST, "/v1/accounts", json: ["name": "Crash Ltd", "kind": "company"])
            #expect(created == 201)
            let accountID = try #require(account["id"] as? String)
            let docs = ServiceHTTP(base: cluster.url(.doc), token: token)
            let (_, folder) = try await docs.send(.POST, "/v1/accounts/\(accountID)/folders", json: ["name": "Statements"])
            let folderID = try #require(folder["id"] as? String)
            let blobs = URL(fileURLWithPath: cluster.topology.dataDirectory).appendingPathComponent("blobs")

            // An upload whose body never ends: a few MiB, then nothing.
            let upload = Task { try await Self.endlessUpload(to: cluster.url(.doc) + "/v1/accounts/\(accountID)/folders/\(folderID)/documents", token: token) }
            try await eventually("the upload's bytes to reach the store") { Self.files(under: blobs).contains { $0.size >= 1 << 20 } }
            let process = try #require(cluster.processes[.doc])
            process.signal(SIGKILL)
            #expect(await process.waitForExit(timeout: ServiceProcess.killWait))
            upload.cancel()
            _ = try? await upload.value

            try process.start()
            try await cluster.waitUntilReady(timeout: IntegrationHarness.startTimeout)
            let listed = try await docs.send(.GET, "/v1/accounts/\(accountID)/documents")
            #expect(listed.status == 200)
            #expect((listed.json["items"] as? [Any])?.isEmpty == true, "a cut-off upload is visible: \(listed.json)")
            try await eventually("the sweep to remove the cut-off upload's bytes") { Self.files(under: blobs).isEmpty }

            let (status, stored) = try await docs.upload(account: accountID, folder: folderID)
            #expect(status == 201, "\(stored)")
            let after = try await docs.send(.GET, "/v1/accounts/\(accountID)/documents")
            #expect((after.json["items"] as? [[String: Any]])?.map { $0["name"] as? String } == ["matrix.pdf"])
        }
    }

    /// Every regular file under `directory`, with its size.
    static func files(under directory: URL) -> [(path: String, size: Int)] {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey]) else { return [] }
        return walker.compactMap { item -> (String, Int)? in
            guard let url = item as? URL, let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey]),
                  values.isRegularFile == true else { return nil }
            return (url.path, values.fileSize ?? 0)
        }
    }

    /// Sends a multipart upload of which only the first 4 MiB ever arrive.
    static func endlessUpload(to url: String, token: String) async throws {
        let boundary = "kill-\(UUID().uuidString)"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "authorization", value: token)
        request.headers.add(name: "content-type", value: "multipart/form-data; boundary=\(boundary)")
        let head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\r\n"
        request.body = .stream(EndlessBody(head: ByteBuffer(string: head)), length: .unknown)
        _ = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
    }
}

/// The head of a part, 4 MiB of bytes, then a wait that ends only when the task is cancelled.
struct EndlessBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let head: ByteBuffer

    struct AsyncIterator: AsyncIteratorProtocol {
        let head: ByteBuffer
        var sent = -1

        mutating func next() async throws -> ByteBuffer? {
            sent += 1
            if sent == 0 { return head }
            if sent <= 4 { return ByteBuffer(repeating: UInt8(truncatingIfNeeded: sent), count: 1 << 20) }
            try await Task.sleep(for: .seconds(3600))
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(head: head) }
}
