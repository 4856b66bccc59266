@testable import AccountService
import AtriumRuntime
import Foundation
import Logging
import SQLKit
import Testing

/// Invitation events written before tokens left the payload held them in clear in the outbox;
/// the migration that introduced invitation ids scrubs them, on both engines.
@Suite("AccountService migrations: invitation secrets scrubbed from the outbox")
struct InvitationMigrationTests {
    @Test("an outbox row written with a token keeps everything but the token", arguments: TestEngine.all)
    func scrubsStoredTokens(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage in
            let database = storage.track(try await Database.open(
                url: engine.postgresURL, schema: storage.schemaPrefix + "account",
                sqlitePath: storage.directory.appendingPathComponent("account.sqlite").path, logger: Logger(label: "migration-test")))
            do {
                let before = EventMigrations.all + AccountMigrations.all.prefix { $0.id != "account-0005-invitation-ids" }
                try await Migrator(database: database).run(before)
                let payload = #"{"data":{"email":"nora@example.com","subjectId":"mem_1","token":"s3cr3t-token-value"},"timestamp":"2026-11-01T00:00:00Z","type":"account.invitation_created"}"#
                try await database.sql.raw("""
                    INSERT INTO outbox_events (id, type, firm_id, payload, created_at)
                    VALUES ('msg_old', 'account.invitation_created', 'firm_1', \(bind: payload), 0)
                    """).run()
                try await Migrator(database: database).run(EventMigrations.all + AccountMigrations.all)
                let stored = try await database.sql.raw("SELECT payload FROM outbox_events WHERE id = 'msg_old'").first()?
                    .decode(column: "payload", as: String.self)
                let object = try JSON.object(Data(try #require(stored).utf8))
                let data = try #require(object["data"] as? [String: Any])
                #expect(data["token"] == nil)
                #expect(data["email"] as? String == "nora@example.com")
                #expect(object["type"] as? String == "account.invitation_created")
                #expect(stored?.contains("s3cr3t") == false)
                try await database.close()
            } catch {
                try? await database.close()
                throw error
            }
        }
    }
}
