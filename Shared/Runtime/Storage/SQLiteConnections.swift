import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import Synchronization

/// A small pool of SQLite connections, handed out without a trip through an event loop.
///
/// AsyncKit's pool serves each request and each release on the connection's event loop: two
/// thread switches around every statement outside a transaction, on top of the one SQLite's own
/// thread pool needs. Here taking and returning a connection is a lock and, when every
/// connection is busy, a wait in line.
final class SQLiteConnections: Sendable {
    private struct State {
        var idle: [SQLiteConnection] = []
        var opened = 0
        var waiting: [CheckedContinuation<SQLiteConnection, any Error>] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let source: SQLiteSource
    private let maximum: Int
    private let logger: Logger

    init(source: SQLiteSource, maximum: Int, logger: Logger) {
        self.source = source
        self.maximum = max(1, maximum)
        self.logger = logger
    }

    /// Runs `body` with a connection of its own, returned to the pool afterwards.
    func withConnection<R>(_ body: (SQLiteConnection) async throws -> R) async throws -> R {
        let connection = try await take()
        defer { give(connection) }
        return try await body(connection)
    }

    private enum Take {
        case ready(SQLiteConnection)
        case open
        case wait
        case closed
    }

    private func take() async throws -> SQLiteConnection {
        let decision: Take = state.withLock { state in
            if state.closed { return .closed }
            if let connection = state.idle.popLast() { return .ready(connection) }
            if state.opened < maximum {
                state.opened += 1
                return .open
            }
            return .wait
        }
        switch decision {
        case .ready(let connection): return connection
        case .closed: throw DatabaseClosed()
        case .open:
            do {
                return try await source.makeConnection(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()).get()
            } catch {
                state.withLock { $0.opened -= 1 }
                throw error
            }
        case .wait:
            return try await withCheckedThrowingContinuation { continuation in
                let now: SQLiteConnection? = state.withLock { state in
                    // A connection may have come back between the decision and here.
                    if let connection = state.idle.popLast() { return connection }
                    state.waiting.append(continuation)
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        }
    }

    private func give(_ connection: SQLiteConnection) {
        enum Next { case waiter(CheckedContinuation<SQLiteConnection, any Error>), idle, close }
        let next: Next = state.withLock { state in
            if state.closed { return .close }
            if !state.waiting.isEmpty { return .waiter(state.waiting.removeFirst()) }
            state.idle.append(connection)
            return .idle
        }
        switch next {
        case .waiter(let waiter): waiter.resume(returning: connection)
        case .idle: break
        case .close: _ = connection.close()
        }
    }

    /// Closes every idle connection; connections in use are closed when they come back.
    func close() async throws {
        let (idle, waiting) = state.withLock { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiting = []
            }
            return (state.idle, state.waiting)
        }
        for waiter in waiting { waiter.resume(throwing: DatabaseClosed()) }
        for connection in idle { try await connection.close() }
    }
}

/// A statement was started after the database was closed (while the service shuts down).
struct DatabaseClosed: Error, CustomStringConvertible {
    var description: String { "The database is closed." }
}
