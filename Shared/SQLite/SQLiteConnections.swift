import Synchronization

/// A small pool of SQLite connections, handed out without a trip through an event loop.
///
/// AsyncKit's pool serves each request and each release on the connection's event loop: two
/// thread switches around every statement. Here taking and returning a connection is a lock
/// and, when every connection is busy, a wait in line.
public final class SQLiteConnections: Sendable {
    private struct State {
        var idle: [SQLiteHandle] = []
        var opened = 0
        var waiting: [CheckedContinuation<SQLiteHandle, any Error>] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let path: String
    private let maximum: Int

    public init(path: String, maximum: Int) {
        self.path = path
        self.maximum = max(1, maximum)
    }

    /// Runs `body` with a connection of its own, returned to the pool afterwards.
    public func withConnection<R>(_ body: (SQLiteHandle) async throws -> R) async throws -> R {
        let connection = try await take()
        defer { give(connection) }
        return try await body(connection)
    }

    private enum Take {
        case ready(SQLiteHandle)
        case open
        case wait
        case closed
    }

    private func take() async throws -> SQLiteHandle {
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
        case .closed: throw SQLiteClosed()
        case .open:
            do {
                return try SQLiteHandle(path: path)
            } catch {
                state.withLock { $0.opened -= 1 }
                throw error
            }
        case .wait:
            return try await withCheckedThrowingContinuation { continuation in
                let now: SQLiteHandle? = state.withLock { state in
                    // A connection may have come back between the decision and here.
                    if let connection = state.idle.popLast() { return connection }
                    state.waiting.append(continuation)
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        }
    }

    private func give(_ connection: SQLiteHandle) {
        enum Next { case waiter(CheckedContinuation<SQLiteHandle, any Error>), idle, close }
        let next: Next = state.withLock { state in
            if state.closed { return .close }
            if !state.waiting.isEmpty { return .waiter(state.waiting.removeFirst()) }
            state.idle.append(connection)
            return .idle
        }
        switch next {
        case .waiter(let waiter): waiter.resume(returning: connection)
        case .idle: break
        case .close: connection.close()
        }
    }

    /// Closes every idle connection; connections in use are closed when they come back.
    public func close() async throws {
        let (idle, waiting) = state.withLock { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiting = []
            }
            return (state.idle, state.waiting)
        }
        for waiter in waiting { waiter.resume(throwing: SQLiteClosed()) }
        for connection in idle { connection.close() }
    }
}
