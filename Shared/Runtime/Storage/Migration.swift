import SQLKit

/// One versioned schema change. Ids sort in the order migrations apply (`chat-0001-threads`).
public struct Migration: Sendable {
    public let id: String
    /// The DDL statements for an engine; constant text, never built from input.
    public let statements: @Sendable (DatabaseEngine) -> [String]

    public init(_ id: String, statements: @escaping @Sendable (DatabaseEngine) -> [String]) {
        self.id = id
        self.statements = statements
    }

    /// A migration whose DDL is the same on both engines.
    public init(_ id: String, _ statements: [String]) {
        self.init(id) { _ in statements }
    }
}

/// Applies migrations once each, in order, recording them in `schema_migrations`.
public struct Migrator: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Applies every migration not yet applied. Safe to run from several replicas at once on PostgreSQL.
    public func run(_ migrations: [Migration]) async throws {
        try await database.sql.raw(
            "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)"
        ).run()
        for migration in migrations {
            try await apply(migration)
        }
    }

    private func apply(_ migration: Migration) async throws {
        let engine = database.engine
        try await database.transaction { tx in
            if engine == .postgres {
                // Serialises concurrent starts of several replicas; released at commit.
                try await tx.raw("SELECT pg_advisory_xact_lock(4242)").run()
            }
            let applied = try await tx.select().column("id").from("schema_migrations")
                .where("id", .equal, migration.id).first()
            guard applied == nil else { return }
            for statement in migration.statements(engine) {
                try await tx.raw("\(unsafeRaw: statement)").run()
            }
            try await tx.insert(into: "schema_migrations")
                .columns("id", "applied_at")
                .values(SQLBind(migration.id), SQLBind(EpochMillis.now()))
                .run()
        }
    }
}
