public import SQLKit

extension SQLDatabase {
    /// The one row of `table` whose `column` equals `value`, decoded from snake_case columns; nil
    /// when there is none. Pass `Database.forUpdate` as `lock` to keep the row locked until the
    /// transaction ends (PostgreSQL; SQLite's writers are serialised anyway).
    public func row<Row: Decodable>(
        _ type: Row.Type, from table: String, where column: String = "id", is value: String, lock: String = ""
    ) async throws -> Row? {
        try await raw("SELECT * FROM \(ident: table) WHERE \(ident: column) = \(bind: value) \(unsafeRaw: lock)")
            .first(decoding: Row.self, keyDecodingStrategy: .snakeCaseColumns)
    }
}
