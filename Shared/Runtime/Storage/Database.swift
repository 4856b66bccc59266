import Foundation
public import Logging
public import SQLKit
@preconcurrency import AsyncKit
import NIOCore
import NIOPosix
import AtriumSQLite
import PostgresKit
import SQLiteKit

/// The SQL engines Atrium runs on.
public enum DatabaseEngine: String, Sendable {
    case sqlite
    case postgres
}

/// A service's database: one pool, one SQL dialect-neutral code path, and transactions.
public final class Database: Sendable {
    /// Runs statements outside any explicit transaction.
    public let sql: any SQLDatabase
    public let engine: DatabaseEngine
    private let shutdownPool: @Sendable () async throws -> Void
    /// Serialises transactions on SQLite, which allows one writer at a time anyway.
    private let writeLock = AsyncLock()
    /// How to open a connection of one's own (to `LISTEN`), and the schema; PostgreSQL only.
    let postgres: (configuration: SQLPostgresConfiguration, schema: String)?

    private init(
        sql: any SQLDatabase, engine: DatabaseEngine, postgres: (configuration: SQLPostgresConfiguration, schema: String)? = nil,
        shutdown: @escaping @Sendable () async throws -> Void
    ) {
        self.sql = sql
        self.engine = engine
        self.postgres = postgres
        self.shutdownPool = shutdown
    }

    /// Opens PostgreSQL when `url` is a `postgres://` URL, else SQLite in WAL mode at `sqlitePath`.
    ///
    /// On PostgreSQL each service keeps its tables in its own schema (created if missing), so the
    /// five services can share one database server, or one database, without sharing tables.
    public static func open(url: String?, schema: String, sqlitePath: String, logger: Logger) async throws -> Database {
        let group = MultiThreadedEventLoopGroup.singleton
        if let url, url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            guard Self.isPlainIdentifier(schema) else {
                throw ConfigurationError.invalid(key: "database.schema", why: "must be 1-63 lower-case letters, digits or _")
            }
            var configuration = try SQLPostgresConfiguration(url: url)
            configuration.searchPath = [schema]
            let pool = EventLoopGroupConnectionPool(
                source: PostgresConnectionSource(sqlConfiguration: configuration),
                maxConnectionsPerEventLoop: 4,
                logger: logger,
                on: group
            )
            let database = Database(sql: pool.database(logger: logger).sql(), engine: .postgres, postgres: (configuration, schema)) {
                try await pool.shutdownAsync()
            }
            do {
                try await database.sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
            } catch {
                try? await database.close()
                throw error
            }
            return database
        }
        if url != nil { throw ConfigurationError.invalid(key: "database.url", why: "must be a postgres:// URL (leave it unset for SQLite)") }
        try FileManager.default.createDirectory(
            atPath: (sqlitePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let connections = SQLiteConnections(path: sqlitePath, maximum: 4)
        let database = Database(sql: SQLitePoolDatabase(connections: connections, logger: logger), engine: .sqlite) {
            try await connections.close()
        }
        // WAL is a property of the file: readers and the writer stop blocking each other.
        try await database.sql.raw("PRAGMA journal_mode = WAL").run()
        return database
    }

    /// Runs `body` in one transaction on one connection; commits when it returns, rolls back when it throws.
    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard engine == .sqlite else { return try await run(transaction: body, begin: "BEGIN") }
        return try await writeLock.withLock { try await self.run(transaction: body, begin: "BEGIN IMMEDIATE") }
    }

    private func run<T: Sendable>(transaction body: @escaping @Sendable (any SQLDatabase) async throws -> T, begin: String) async throws -> T {
        try await sql.withSession { session in
            try await session.raw("\(unsafeRaw: begin)").run()
            do {
                let result = try await body(session)
                try await session.raw("COMMIT").run()
                return result
            } catch {
                try? await session.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Answers when the database does; used by `/health/ready`.
    public func ping() async throws {
        _ = try await sql.raw("SELECT 1 AS one").all()
    }

    /// Lower-case letters, digits and `_`, starting with a letter: safe as an unquoted SQL name.
    public static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter, name.count <= 63 else { return false }
        return name.allSatisfy { ($0.isLetter && $0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "_" }
    }

    /// Closes every connection.
    public func close() async throws {
        try await shutdownPool()
    }
}

extension Database {
    /// `FOR UPDATE` on PostgreSQL; nothing on SQLite, whose `BEGIN IMMEDIATE` already serialises writers.
    public var forUpdate: String { engine == .postgres ? "FOR UPDATE" : "" }
}
