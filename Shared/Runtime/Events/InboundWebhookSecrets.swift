import SQLKit

/// The secret of each subscription this service registers as a consumer: random, made once and
/// kept in its own database, so restarts and replicas agree on it and no other service (nor the
/// deployment's root secret) can derive it.
enum InboundWebhookSecrets {
    /// The secret of every subscription in `ids`, creating the ones that do not exist yet.
    static func ensure(_ ids: [String], in database: Database) async throws -> [String: String] {
        var secrets: [String: String] = [:]
        for id in ids {
            // Several replicas may start at once: the first insert wins and all read the same row.
            try await database.sql.raw("""
                INSERT INTO inbound_webhook_secrets (subscription_id, secret, created_at)
                VALUES (\(bind: id), \(bind: WebhookSecret.generate()), \(bind: EpochMillis.now()))
                ON CONFLICT (subscription_id) DO NOTHING
                """).run()
            let row = try await database.sql.raw(
                "SELECT secret FROM inbound_webhook_secrets WHERE subscription_id = \(bind: id)").first()
            secrets[id] = try row?.decode(column: "secret", as: String.self)
        }
        return secrets
    }

    static let migration = Migration("runtime-0004-inbound-webhook-secrets", [
        """
        CREATE TABLE inbound_webhook_secrets (
            subscription_id TEXT PRIMARY KEY,
            secret TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
    ])
}
