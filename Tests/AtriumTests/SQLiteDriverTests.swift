@testable import AtriumRuntime
import AtriumSQLite
import Foundation
import Logging
import NIOCore
import SQLKit
import Testing

/// The SQLite driver under `Database` (the system's libsqlite3, called directly): values of every
/// storage class round-trip, cached statements take new binds, several statements run from one
/// string, a unique violation is recognised, and a closed database refuses work.
@Suite("SQLite driver")
struct SQLiteDriverTests {
    static func database() async throws -> (Database, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-driver-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("test.sqlite").path
        return (try await Database.open(url: nil, schema: "test", sqlitePath: path, logger: Logger(label: "sqlite")), directory)
    }

    struct Row: Codable, Equatable {
        var id: Int64
        var name: String
        var score: Double?
        var data: Data?
        var flag: Bool
    }

    @Test("values round-trip; a cached statement takes new binds; a script of statements runs whole")
    func roundTrip() async throws {
        let (database, directory) = try await Self.database()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await database.sql.raw("""
            CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, score REAL, data BLOB, flag INTEGER NOT NULL);
            CREATE INDEX t_score ON t (score);
            """).run()
        let rows = [Row(id: 1, name: "Ünïcode ✓", score: 2.5, data: Data([0, 1, 255]), flag: true),
                    Row(id: 2, name: "plain", score: nil, data: nil, flag: false)]
        for row in rows { try await database.sql.insert(into: "t").model(row).run() }
        for row in rows {
            let read = try await database.sql.select().column("*").from("t").where("id", .equal, SQLBind(row.id)).first(decoding: Row.self)
            #expect(read == row)
        }
        let count = try await database.sql.raw("SELECT COUNT(*) AS n FROM t WHERE name LIKE \(bind: "%")").first(decoding: Count.self)
        #expect(count?.n == 2)
        do {
            try await database.sql.insert(into: "t").model(Row(id: 3, name: "plain", score: nil, data: nil, flag: false)).run()
            Issue.record("a duplicate name was inserted")
        } catch {
            #expect(Database.isUniqueViolation(error), "\(error)")
        }
        try await database.close()
        await #expect(throws: (any Error).self) { try await database.sql.raw("SELECT 1 AS one").all() }
    }

    struct Count: Decodable { var n: Int }

    @Test("a transaction that throws leaves nothing; one that returns commits")
    func transactions() async throws {
        let (database, directory) = try await Self.database()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await database.sql.raw("CREATE TABLE k (id TEXT PRIMARY KEY)").run()
        struct Boom: Error {}
        _ = try? await database.transaction { tx in
            try await tx.raw("INSERT INTO k (id) VALUES (\(bind: "a"))").run()
            throw Boom()
        }
        try await database.transaction { tx in try await tx.raw("INSERT INTO k (id) VALUES (\(bind: "b"))").run() }
        let ids = try await database.sql.raw("SELECT id FROM k").all().map { try $0.decode(column: "id", as: String.self) }
        #expect(ids == ["b"])
        try await database.close()
    }
}
