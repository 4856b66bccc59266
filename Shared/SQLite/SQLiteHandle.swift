internal import CSQLite3
public import NIOCore

/// A value SQLite stores: its five storage classes.
public enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case float(Double)
    case text(String)
    case blob(ByteBuffer)
    case null
}

/// One connection to an SQLite file through the system's libsqlite3, used by one task at a time
/// (the pool hands it out), on that task's own thread.
///
/// SQLite-NIO runs every statement on a thread pool and delivers each row through an event loop:
/// three thread switches for a one-row read that SQLite answers in a few microseconds. Called
/// directly, a statement costs what SQLite costs. Statements block their thread only as long as
/// SQLite works: writers queue in the process (`AsyncLock`) before they begin, WAL readers never
/// wait, and `busy_timeout` bounds the rest.
public final class SQLiteHandle: @unchecked Sendable {
    // Only ever touched by the one task that holds the handle (see `SQLiteConnections`).
    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private static let cachedStatements = 64

    public init(path: String) throws {
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let failure = SQLiteFailure(code: code, handle: handle)
            sqlite3_close_v2(handle)
            throw failure
        }
        db = handle
        sqlite3_extended_result_codes(handle, 1)
        try run("PRAGMA busy_timeout = 10000", binds: []) { _ in }
        try run("PRAGMA foreign_keys = ON", binds: []) { _ in }
        try run("PRAGMA synchronous = NORMAL", binds: []) { _ in }
    }

    deinit { close() }

    /// Finalizes the statements and closes the connection.
    public func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements = [:]
        sqlite3_close_v2(db)
        db = nil
    }

    /// Runs `sql` (one statement, or several separated by `;` with no binds) and hands each row over.
    public func run(_ sql: String, binds: [SQLiteValue], onRow: (SQLiteRowValues) -> Void) throws {
        guard let db else { throw SQLiteClosed() }
        if let cached = statements[sql] { return try step(cached, binds: binds, onRow: onRow, cached: true) }
        try sql.withCString { start in
            var cursor: UnsafePointer<CChar>? = start
            while let current = cursor, current.pointee != 0 {
                var statement: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let code = sqlite3_prepare_v2(db, current, -1, &statement, &tail)
                guard code == SQLITE_OK else { throw SQLiteFailure(code: code, handle: db) }
                guard let statement else { break }  // only whitespace or a comment was left
                let single = current == start && (tail.map { Self.isBlank($0) } ?? true)
                let cache = single && statements.count < Self.cachedStatements
                if cache { statements[sql] = statement }
                try step(statement, binds: binds, onRow: onRow, cached: cache)
                cursor = tail
            }
        }
    }

    private func step(_ statement: OpaquePointer, binds: [SQLiteValue], onRow: (SQLiteRowValues) -> Void, cached: Bool) throws {
        defer {
            if cached {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            } else {
                sqlite3_finalize(statement)
            }
        }
        try bind(binds, to: statement)
        var columns: SQLiteRowValues.Columns?
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw SQLiteFailure(code: code, handle: db) }
            let names = columns ?? SQLiteRowValues.Columns(statement)
            columns = names
            onRow(SQLiteRowValues(columns: names, values: Self.values(of: statement, count: names.names.count)))
        }
    }

    private func bind(_ binds: [SQLiteValue], to statement: OpaquePointer) throws {
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32 = switch value {
            case .integer(let number): sqlite3_bind_int64(statement, index, number)
            case .float(let number): sqlite3_bind_double(statement, index, number)
            case .text(let text): text.withCString { atr_sqlite3_bind_text_copy(statement, index, $0, -1) }
            case .blob(let buffer): buffer.withUnsafeReadableBytes { atr_sqlite3_bind_blob_copy(statement, index, $0.baseAddress, Int32($0.count)) }
            case .null: sqlite3_bind_null(statement, index)
            }
            guard code == SQLITE_OK else { throw SQLiteFailure(code: code, handle: db) }
        }
    }

    private static func values(of statement: OpaquePointer, count: Int) -> [SQLiteValue] {
        (0..<Int32(count)).map { column in
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT: return .float(sqlite3_column_double(statement, column))
            case SQLITE_TEXT:
                guard let text = sqlite3_column_text(statement, column) else { return .text("") }
                let bytes = UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column)))
                return .text(String(decoding: bytes, as: UTF8.self))
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(statement, column))
                guard let bytes = sqlite3_column_blob(statement, column), count > 0 else { return .blob(ByteBuffer()) }
                return .blob(ByteBuffer(bytes: UnsafeRawBufferPointer(start: bytes, count: count)))
            default: return .null
            }
        }
    }

    private static func isBlank(_ text: UnsafePointer<CChar>) -> Bool {
        var cursor = text
        while cursor.pointee != 0 {
            if !(cursor.pointee == 32 || (9...13).contains(cursor.pointee)) { return false }
            cursor += 1
        }
        return true
    }
}

/// An error SQLite reported: its (extended) result code and message.
public struct SQLiteFailure: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String

    init(code: Int32, handle: OpaquePointer?) {
        let extended = handle.map { sqlite3_extended_errcode($0) } ?? code
        self.code = extended == 0 ? code : extended
        self.message = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
    }

    /// A UNIQUE or PRIMARY KEY constraint refused the row.
    public var isUniqueViolation: Bool {
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY (macros Swift does not import).
        code == 2067 || code == 1555
    }

    public var description: String { "SQLite error \(code): \(message)" }
}

/// A row's values and its result's column names.
public struct SQLiteRowValues: Sendable {
    /// The result's column names and where each is, shared by its rows.
    public final class Columns: Sendable {
        public let names: [String]
        public let index: [String: Int]

        init(_ statement: OpaquePointer) {
            let names = (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
            self.names = names
            // The first of two equal names wins, as in SQLite-NIO.
            index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public let columns: Columns
    public let values: [SQLiteValue]
}

/// A statement was started after the database was closed (while the service shuts down).
public struct SQLiteClosed: Error, CustomStringConvertible {
    public var description: String { "The database is closed." }
}
