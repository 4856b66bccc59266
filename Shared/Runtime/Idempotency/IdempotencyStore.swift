import Foundation
public import Hummingbird
import Crypto
import HTTPTypes
import NIOCore
import SQLKit
import Synchronization

/// One request under an `Idempotency-Key`: where its record lives and how its response is sealed.
struct IdempotencyEntry: Sendable {
    /// SHA-256 of the scope and the key: the row's id, from which neither can be read back.
    let id: String
    /// SHA-256 of method, path and body: a reused key with another request is refused.
    let fingerprint: String
    /// Encrypts the stored response; derived from the key itself, which the server never stores.
    let sealingKey: SymmetricKey

    init(key: String, scope: String, request: Request, body: ByteBuffer) {
        id = Self.hex(SHA256.hash(data: Data("\(scope)\n\(key)".utf8)))
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)?\(request.uri.query ?? "")\n".utf8))
        hasher.update(data: Data(body.readableBytesView))
        fingerprint = Self.hex(hasher.finalize())
        sealingKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(key.utf8)), salt: Data(scope.utf8), info: Data("atrium-idempotency".utf8),
            outputByteCount: 32)
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

/// A response as it was first sent.
struct StoredResponse: Sendable {
    var status: Int
    var contentType: String?
    var location: String?
    var body: Data

    var response: Response {
        var headers: HTTPFields = [.idempotentReplayed: "true"]
        if let contentType { headers[.contentType] = contentType }
        if let location { headers[.location] = location }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The `idempotency_keys` table of one service.
public final class IdempotencyStore: Sendable {
    let database: Database
    /// How long a finished key is kept (at least 24 hours).
    let retention: Duration
    /// How long a started request may run before a repeat may take it over (its process died).
    let lease: Duration
    /// Milliseconds since 1970; tests move it on instead of waiting.
    let clock: @Sendable () -> Int64
    private let lastPrune = Mutex<ContinuousClock.Instant?>(nil)

    public init(
        database: Database, retention: Duration = .seconds(86_400), lease: Duration = .seconds(120),
        clock: @escaping @Sendable () -> Int64 = { EpochMillis.now() }
    ) {
        self.database = database
        self.retention = retention
        self.lease = lease
        self.clock = clock
    }

    enum Start: Sendable {
        case started
        case replay(StoredResponse)
        case inFlight
        case reused
    }

    /// Claims the key for this request, or says why the request must not run now.
    func begin(_ entry: IdempotencyEntry) async throws -> Start {
        try await pruneOccasionally()
        let now = clock()
        let leaseUntil = now + lease.milliseconds
        let claimed = try await database.sql.raw("""
            INSERT INTO idempotency_keys (id, fingerprint, state, created_at, lease_until)
            VALUES (\(bind: entry.id), \(bind: entry.fingerprint), 'running', \(bind: now), \(bind: leaseUntil))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """).first()
        if claimed != nil { return .started }
        guard let row = try await database.sql.row(IdempotencyRow.self, from: "idempotency_keys", is: entry.id) else {
            return .inFlight  // Pruned between the two statements: rare; the caller retries.
        }
        guard row.fingerprint == entry.fingerprint else { return .reused }
        if row.state == "done", let stored = row.stored(opening: entry.sealingKey) { return .replay(stored) }
        guard row.state == "running", row.leaseUntil < now else { return .inFlight }
        // The process that started it died mid-request: take the key over, once.
        let taken = try await database.sql.raw("""
            UPDATE idempotency_keys SET lease_until = \(bind: leaseUntil)
            WHERE id = \(bind: entry.id) AND state = 'running' AND lease_until = \(bind: row.leaseUntil) RETURNING id
            """).first()
        return taken == nil ? .inFlight : .started
    }

    /// Keeps a successful or refused answer for repeats; forgets the key after a 5xx.
    func finish(_ entry: IdempotencyEntry, response: Response) async throws -> Response {
        guard response.status.code < 500 else {
            await abandon(entry)
            return response
        }
        var response = response
        let body = try await ResponseCollector.collect(response.body)
        response.body = .init(byteBuffer: body)
        let sealed = try AES.GCM.seal(Data(body.readableBytesView), using: entry.sealingKey).combined ?? Data()
        try await database.sql.raw("""
            UPDATE idempotency_keys SET state = 'done', response_status = \(bind: response.status.code),
                response_type = \(bind: response.headers[.contentType]), response_location = \(bind: response.headers[.location]),
                response_body = \(bind: sealed.base64EncodedString())
            WHERE id = \(bind: entry.id)
            """).run()
        return response
    }

    /// Moves a running request's lease on: the request is alive, so no repeat may take it over.
    func renew(_ entry: IdempotencyEntry) async throws {
        try await database.sql.raw("""
            UPDATE idempotency_keys SET lease_until = \(bind: clock() + lease.milliseconds)
            WHERE id = \(bind: entry.id) AND state = 'running'
            """).run()
    }

    /// Renews the lease every third of it until cancelled (when the request ends).
    func keepAlive(_ entry: IdempotencyEntry) async {
        while true {
            do {
                try await Task.sleep(for: lease / 3)
            } catch {
                return
            }
            try? await renew(entry)
        }
    }

    /// Forgets a key whose request failed, so a retry runs it again.
    func abandon(_ entry: IdempotencyEntry) async {
        _ = try? await database.sql.raw("DELETE FROM idempotency_keys WHERE id = \(bind: entry.id) AND state = 'running'").run()
    }

    /// Deletes keys past their retention, at most once a minute.
    private func pruneOccasionally() async throws {
        let due = lastPrune.withLock { last in
            if let last, ContinuousClock.now - last < .seconds(60) { return false }
            last = .now
            return true
        }
        guard due else { return }
        try await database.sql.raw(
            "DELETE FROM idempotency_keys WHERE created_at < \(bind: clock() - retention.milliseconds)").run()
    }

    static let migration = Migration("runtime-0005-idempotency-keys", [
        """
        CREATE TABLE idempotency_keys (
            id TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            state TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            lease_until BIGINT NOT NULL,
            response_status BIGINT,
            response_type TEXT,
            response_location TEXT,
            response_body TEXT
        )
        """,
        "CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)",
    ])
}

private struct IdempotencyRow: Decodable {
    var fingerprint: String
    var state: String
    var leaseUntil: Int64
    var responseStatus: Int64?
    var responseType: String?
    var responseLocation: String?
    var responseBody: String?

    func stored(opening key: SymmetricKey) -> StoredResponse? {
        guard let status = responseStatus, let text = responseBody, let sealed = Data(base64Encoded: text),
            let box = try? AES.GCM.SealedBox(combined: sealed), let body = try? AES.GCM.open(box, using: key) else { return nil }
        return StoredResponse(status: Int(status), contentType: responseType, location: responseLocation, body: body)
    }
}

/// Reads a response body to its end so it can be stored and sent.
enum ResponseCollector {
    final class Sink: ResponseBodyWriter, Sendable {
        let buffer = Mutex(ByteBuffer())
        func write(_ part: ByteBuffer) async throws {
            buffer.withLock { buffer in
                var part = part
                buffer.writeBuffer(&part)
            }
        }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    static func collect(_ body: ResponseBody) async throws -> ByteBuffer {
        let sink = Sink()
        try await body.write(sink)
        return sink.buffer.withLock { $0 }
    }
}

extension HTTPField.Name {
    /// Set on a response sent again for a repeated `Idempotency-Key`.
    public static let idempotentReplayed = Self("Idempotent-Replayed")!
}
