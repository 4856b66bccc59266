public import SQLKit
import Synchronization

extension SQLRowDecoder.KeyDecodingStrategy {
    /// `convertFromSnakeCase` with each conversion remembered: a record's `createdAt` reads the
    /// `created_at` column. SQLKit converts the key again for every column of every row, which was
    /// the larger half of decoding a one-row read; the set of keys is small and fixed (our records'
    /// properties), so the cache stays small.
    public static var snakeCaseColumns: Self {
        .custom { path in
            let key = path.last?.stringValue ?? ""
            return SomeCodingKey(stringValue: SnakeCaseColumns.column(for: key))
        }
    }
}

/// The remembered conversions of `snakeCaseColumns`.
enum SnakeCaseColumns {
    private static let cache = Mutex<[String: String]>([:])

    static func column(for key: String) -> String {
        if let known = cache.withLock({ $0[key] }) { return known }
        // SQLKit's own conversion (through its public encoder), so both strategies name the same column.
        let column = (try? SQLQueryEncoder(keyEncodingStrategy: .convertToSnakeCase).encode(OneKey(name: key)))?.first?.0 ?? key
        cache.withLock { $0[key] = column }
        return column
    }

    /// A value with one property named `name`, to learn its column name from SQLKit's encoder.
    private struct OneKey: Encodable {
        let name: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: SomeCodingKey.self)
            try container.encode(0, forKey: SomeCodingKey(stringValue: name))
        }
    }
}
