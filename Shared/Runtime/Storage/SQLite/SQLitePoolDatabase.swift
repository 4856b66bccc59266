import AtriumSQLite
import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import SQLKit

/// An `SQLDatabase` over a pool of SQLite connections; a session holds one connection throughout.
struct SQLitePoolDatabase: SQLDatabase {
    let connections: SQLiteConnections
    let logger: Logger

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var version: (any SQLDatabaseReportedVersion)? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await self.execute(sql: query, onRow) }
        return promise.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try await connections.withConnection { try SQLiteSession.run(query, on: $0, dialectOf: self, onRow) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await connections.withConnection { handle in
            try await closure(SQLiteSession(handle: handle, logger: logger))
        }
    }
}

/// The statements of one session (a transaction, say), all on the one connection it holds.
struct SQLiteSession: SQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var version: (any SQLDatabaseReportedVersion)? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        eventLoop.submit { try Self.run(query, on: handle, dialectOf: self, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try Self.run(query, on: handle, dialectOf: self, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    /// Serializes `query` as `database`'s dialect says and runs it on `handle`.
    static func run(_ query: any SQLExpression, on handle: SQLiteHandle, dialectOf database: any SQLDatabase,
                    _ onRow: (any SQLRow) -> ()) throws {
        var serializer = SQLSerializer(database: database)
        query.serialize(to: &serializer)
        let encoder = SQLiteDataEncoder()
        let binds = try serializer.binds.map { SQLiteValue(try encoder.encode($0)) }
        try handle.run(serializer.sql, binds: binds) { onRow(SQLiteResultRow(row: $0)) }
    }
}
