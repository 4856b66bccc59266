import AtriumSQLite
import SQLiteKit
import SQLKit

/// One row of a result, decoded through SQLiteKit's data decoder (so values convert exactly as
/// they did through SQLite-NIO).
struct SQLiteResultRow: SQLRow {
    let row: SQLiteRowValues

    var allColumns: [String] { row.columns.names }

    func contains(column: String) -> Bool { row.columns.index[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = row.columns.index[column] else { return true }
        return row.values[offset] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let offset = row.columns.index[column] else { throw MissingColumn(column: column) }
        let value = row.values[offset]
        // The types nearly every column has, without a Decoder each; anything else (and any value
        // that needs converting) goes through SQLiteKit's decoder as before.
        switch value {
        case .text(let text): if let text = text as? D { return text }
        case .integer(let number):
            if D.self == Int64.self, let number = number as? D { return number }
            if D.self == Int.self, let number = Int(number) as? D { return number }
        default: break
        }
        return try SQLiteDataDecoder().decode(D.self, from: value.data)
    }
}

extension SQLiteValue {
    /// As SQLite-NIO's type, for SQLiteKit's coders.
    var data: SQLiteData {
        switch self {
        case .integer(let value): .integer(SQLiteInt64(value))
        case .float(let value): .float(value)
        case .text(let value): .text(value)
        case .blob(let value): .blob(value)
        case .null: .null
        }
    }

    init(_ data: SQLiteData) {
        switch data {
        case .integer(let value): self = .integer(Int64(value))
        case .float(let value): self = .float(value)
        case .text(let value): self = .text(value)
        case .blob(let value): self = .blob(value)
        case .null: self = .null
        }
    }
}

/// A column the query did not return.
struct MissingColumn: Error, CustomStringConvertible {
    let column: String
    var description: String { "no column \(column) in the result" }
}
