import AtriumRuntime
import Foundation
import Logging
import SQLKit
import Synchronization
import Testing

/// A database engine the suite runs against: SQLite always, PostgreSQL when
/// `ATRIUM_TEST_POSTGRES_URL` names a server (the CI sets it).
struct TestEngine: Sendable, CustomTestStringConvertible {
    let name: String
    let postgresURL: String?

    var testDescription: String { name }

    static let sqlite = TestEngine(name: "sqlite", postgresURL: nil)

    static var all: [TestEngine] {
        guard let url = ProcessInfo.processInfo.environment["ATRIUM_TEST_POSTGRES_URL"], !url.isEmpty else { return [.sqlite] }
        return [.sqlite, TestEngine(name: "postgres", postgresURL: url)]
    }
}

/// A fresh place to keep state for one test: a temporary directory and, on PostgreSQL, schemas
/// no other test uses (`t<random>_<service>`), dropped again at the end.
struct TestStorage: Sendable {
    let engine: TestEngine
    let directory: URL
    let schemaPrefix: String
    /// Databases a test opened itself, closed at the end if the test did not get to it (a
    /// PostgreSQL pool released unclosed stops the whole test process).
    private let opened = OpenedDatabases()

    init(_ engine: TestEngine) throws {
        self.engine = engine
        let tag = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("atrium-test-\(tag)")
        schemaPrefix = "t\(tag)_"
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Runs `body` with fresh storage and removes it afterwards, whatever happens.
    static func with<T>(_ engine: TestEngine, _ body: (TestStorage) async throws -> T) async throws -> T {
        let storage = try TestStorage(engine)
        do {
            let result = try await body(storage)
            await storage.remove()
            return result
        } catch {
            await storage.opened.closeAll()
            await storage.remove()
            throw error
        }
    }

    /// `database`, to be closed when the test ends early by an error.
    @discardableResult
    func track(_ database: Database) -> Database {
        opened.add(database)
        return database
    }

    func remove() async {
        try? FileManager.default.removeItem(at: directory)
        guard let url = engine.postgresURL else { return }
        guard let database = try? await Database.open(url: url, schema: "public", sqlitePath: "", logger: Logger(label: "test-cleanup"))
        else { return }
        for service in ServiceName.allCases {
            try? await database.sql.raw("DROP SCHEMA IF EXISTS \(ident: schemaPrefix + service.rawValue) CASCADE").run()
        }
        try? await database.close()
    }
}

/// The databases one test opened (see `TestStorage.track`).
final class OpenedDatabases: Sendable {
    private let databases = Mutex<[Database]>([])

    func add(_ database: Database) { databases.withLock { $0.append(database) } }

    /// Closes each; one the test closed already answers with an error, which is ignored.
    func closeAll() async {
        for database in databases.withLock({ $0 }) { try? await database.close() }
    }
}
