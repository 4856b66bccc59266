@testable import AtriumRuntime
import Foundation
import Logging
import SQLKit
import Testing

/// The upgrade from the dispatcher's tables: deliveries become jobs, attempts move along,
/// subscriptions get their owners, and the history survives.
@Suite("Job queue: migrating the webhook tables", .serialized)
struct JobMigrationTests {
    @Test("deliveries, attempts and subscriptions made before the job queue carry over", arguments: TestEngine.all)
    func upgrade(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let open = {
                try await Database.open(url: storage.engine.postgresURL, schema: storage.schemaPrefix + "chat",
                                        sqlitePath: storage.directory.appendingPathComponent("old.sqlite").path, logger: Logger(label: "m"))
            }
            let old = try await open()
            try await Migrator(database: old).run(Array(EventMigrations.all.prefix(1)))
            for statement in [
                "INSERT INTO outbox_events (id, type, firm_id, payload, created_at, dispatched_at) VALUES ('msg_1', 't', 'firm_a', '{}', 1, 1)",
                "INSERT INTO outbox_events (id, type, firm_id, payload, created_at) VALUES ('msg_2', 't', 'firm_a', '{}', 2)",
                "INSERT INTO webhook_subscriptions VALUES ('pipeline-service.chat', NULL, 'http://p/x', '[\"*\"]', 's', NULL, 1, 1)",
                "INSERT INTO webhook_subscriptions VALUES ('mine', 'firm_a', 'http://f/x', '[\"*\"]', 's', NULL, 1, 1)",
                """
                INSERT INTO webhook_deliveries VALUES ('dlv_1', 'msg_1', 't', 'firm_a', 'pipeline-service.chat', 'delivered', 2, 12, NULL, NULL, NULL, 1, 5)
                """,
                """
                INSERT INTO webhook_deliveries VALUES ('dlv_2', 'msg_1', 't', 'firm_a', 'mine', 'pending', 1, 12, 9, NULL, 'HTTP 503', 1, NULL)
                """,
                """
                INSERT INTO webhook_deliveries VALUES ('dlv_3', 'msg_1', 't', 'firm_a', 'gone', 'pending', 1, 12, 9, NULL, 'HTTP 503', 1, NULL)
                """,
                "INSERT INTO webhook_attempts VALUES ('dlv_1', 1, 3, 503, 'HTTP 503', 10)",
                "INSERT INTO webhook_attempts VALUES ('dlv_1', 2, 5, 204, NULL, 10)",
            ] {
                try await old.sql.raw("\(unsafeRaw: statement)").run()
            }
            try await old.close()
            let migrated = try await open()
            try await Migrator(database: migrated).run(EventMigrations.all)
            try await migrated.close()
            let database = try await open()
            let jobs = try await database.sql.raw("SELECT id, status, attempts, run_at FROM jobs ORDER BY id")
                .all(decoding: JobRow.self, keyDecodingStrategy: .convertFromSnakeCase)
            #expect(jobs.map(\.status) == ["succeeded", "pending", "cancelled"])
            #expect(jobs.map(\.attempts) == [2, 1, 1])
            #expect(jobs[1].runAt == 9)
            let attempts = try await database.sql.raw("SELECT outcome FROM job_attempts WHERE job_id = 'dlv_1' ORDER BY number")
                .all(decoding: OutcomeRow.self).map(\.outcome)
            #expect(attempts == ["failed", "succeeded"])
            let subscriptions = try await database.sql.raw("SELECT id, owner, name FROM webhook_subscriptions ORDER BY id")
                .all(decoding: SubscriptionRow.self)
            #expect(subscriptions.map(\.id) == ["atrium/pipeline-service.chat", "firm:firm_a/mine"])
            let deliveries = try await database.sql.raw("SELECT subscription_id, owner FROM webhook_deliveries ORDER BY id")
                .all(decoding: DeliveryRow.self, keyDecodingStrategy: .convertFromSnakeCase)
            #expect(deliveries.map(\.subscriptionId) == ["atrium/pipeline-service.chat", "firm:firm_a/mine", "atrium/gone"])
            // The event left undispatched by the old dispatcher is fanned out at start-up.
            try await WebhookFanOut.sweep(database, attempts: 12)
            let fanned = try await database.sql.raw("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE event_id = 'msg_2'")
                .first(decoding: CountRow.self)?.n
            #expect(fanned == 2)
            try await database.close()
        }
    }

    struct JobRow: Decodable { var id: String; var status: String; var attempts: Int; var runAt: Int }
    struct OutcomeRow: Decodable { var outcome: String }
    struct SubscriptionRow: Decodable { var id: String; var owner: String; var name: String }
    struct DeliveryRow: Decodable { var subscriptionId: String; var owner: String }
    struct CountRow: Decodable { var n: Int }
}
