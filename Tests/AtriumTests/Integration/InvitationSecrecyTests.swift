import AtriumCluster
import AtriumRuntime
import Foundation
import Logging
import NIOHTTP1
import SQLKit
import Testing

/// Finding: an admin who subscribed to the firm's events read the raw token of an owner's
/// invitation from `account.invitation_created` and accepted it — becoming an owner. No event,
/// outbox row, delivery or log line may carry an invitation's secret.
@Suite("Invitation secrets stay inside AccountService", .serialized)
struct InvitationSecrecyTests {
    static let password = "secrecy password 0123"

    @Test("an admin subscribed to every event never receives anything that accepts an invitation", arguments: TestEngine.all)
    func adminCannotBecomeOwner(engine: TestEngine) async throws {
        try await TestStorage.with(.sqlite) { consumerStorage in
            try await TestConsumer.run(storage: consumerStorage) { consumer, hook in
                try await IntegrationHarness.with(engine, settings: ["ATRIUM_LOG_LEVEL": "trace"]) { cluster in
                    try await Self.attempt(cluster, consumer: consumer, hook: hook, engine: engine)
                }
            }
        }
    }

    static func attempt(_ cluster: Cluster, consumer: TestConsumer, hook: String, engine: TestEngine) async throws {
        let anonymous = ServiceHTTP(base: cluster.url(.account))
        let signup = try await anonymous.send(.POST, "/v1/firms", json: [
            "firmName": "Secrecy LLP",
            "owner": ["email": "olive@secrecy.example", "firstName": "Olive", "lastName": "Owner", "password": password],
        ])
        #expect(signup.status == 201)
        let owner = ServiceHTTP(base: cluster.url(.account),
                                token: "Bearer " + (try #require((signup.json["tokens"] as? [String: Any])?["accessToken"] as? String)))
        #expect(try await owner.send(.POST, "/v1/team-members", json: [
            "email": "adam@secrecy.example", "firstName": "Adam", "lastName": "Admin", "password": password, "role": "admin",
        ]).status == 201)
        let login = try await anonymous.send(.POST, "/v1/auth/token", json: ["email": "adam@secrecy.example", "password": password])
        let admin = ServiceHTTP(base: cluster.url(.account), token: "Bearer " + (try #require(login.json["accessToken"] as? String)))

        // The admin subscribes to everything the firm may hear.
        let subscribed = try await admin.send(.POST, "/v1/webhooks/subscriptions", json: [
            "url": hook, "secret": TestConsumer.secret, "eventTypes": ["*"],
        ])
        #expect(subscribed.status == 201, "\(subscribed.json)")

        // The owner invites a new owner, then changes a setting so a later event marks the end of the stream.
        let invited = try await owner.send(.POST, "/v1/team-members", json: [
            "email": "nora@secrecy.example", "firstName": "Nora", "lastName": "Newowner", "role": "owner",
        ])
        #expect(invited.status == 201)
        let invitee = try #require(invited.json["id"] as? String)
        let firm = try #require((signup.json["firm"] as? [String: Any])?["id"] as? String)
        #expect(try await owner.send(.PATCH, "/v1/firms/\(firm)/settings", json: ["reminderDays": 4]).status == 200)
        try await eventually("the later event at the admin's endpoint") {
            await consumer.bodies.contains { (try? JSON.object($0))?["type"] as? String == "account.firm_settings_updated" }
        }

        // Invitation events are internal: a firm's "*" does not include them, and naming them is refused.
        #expect(await !consumer.bodies.contains { (try? JSON.object($0))?["type"] as? String == "account.invitation_created" })
        let types = try await admin.send(.GET, "/v1/webhooks/event-types").json["items"] as? [String] ?? []
        #expect(types.contains("account.tags_updated") && !types.contains("account.invitation_created"))
        let naming = try await admin.send(.POST, "/v1/webhooks/subscriptions", json: [
            "url": hook, "secret": TestConsumer.secret, "eventTypes": ["account.invitation_created"],
        ])
        #expect(naming.status == 400, "\(naming.json)")

        // Every string the admin received is tried as an invitation token: none is accepted.
        for candidate in Set(await consumer.bodies.flatMap(Self.strings)) {
            let accepted = try await anonymous.send(.POST, "/v1/invitations/accept", json: ["token": candidate, "password": password])
            #expect(accepted.status != 200, "the admin accepted an invitation with \"\(candidate)\" from an event")
        }
        #expect(try await anonymous.send(.POST, "/v1/auth/token", json: ["email": "nora@secrecy.example", "password": password]).status == 401)

        // The real token exists only in AccountService's answer to NotifyService, and nowhere at rest.
        let token = try await Self.realToken(cluster, invitee: invitee)
        #expect(await !consumer.bodies.contains { $0.range(of: Data(token.utf8)) != nil })
        try Self.nowhereOnDisk(token, cluster: cluster)
        try await Self.nowhereInPostgres(token, cluster: cluster)

        // And it still works for the person it was sent to.
        #expect(try await anonymous.send(.POST, "/v1/invitations/accept", json: ["token": token, "password": password]).status == 200)
    }

    /// Every string value anywhere in a JSON body.
    static func strings(_ body: Data) -> [String] {
        func walk(_ value: Any) -> [String] {
            switch value {
            case let string as String: [string]
            case let object as [String: Any]: object.values.flatMap(walk)
            case let array as [Any]: array.flatMap(walk)
            default: []
            }
        }
        return (try? JSONSerialization.jsonObject(with: body)).map(walk) ?? []
    }

    /// The invitee's token, as NotifyService gets it; owners, admins and other services are refused.
    static func realToken(_ cluster: Cluster, invitee: String) async throws -> String {
        let account = cluster.url(.account)
        let chat = ServiceHTTP(base: account, token: try await TestConfiguration.serviceToken("chat-service"))
        // The invitation's id is not secret; a service reads it from the internal event it receives.
        let invitation = try await Self.invitationID(cluster, of: invitee)
        #expect(try await chat.send(.GET, "/v1/invitations/\(invitation)/link").status == 403)
        let notify = ServiceHTTP(base: account, token: try await TestConfiguration.serviceToken("notify-service"))
        let link = try await notify.send(.GET, "/v1/invitations/\(invitation)/link")
        #expect(link.status == 200, "\(link.json)")
        return try #require(link.json["token"] as? String)
    }

    /// The id of `subject`'s pending invitation, read from AccountService's own table.
    static func invitationID(_ cluster: Cluster, of subject: String) async throws -> String {
        let database = try await Database.open(
            url: cluster.topology.databaseURL, schema: cluster.topology.schemaPrefix + "account",
            sqlitePath: cluster.topology.dataDirectory + "/account.sqlite", logger: Logger(label: "secrecy-check"))
        do {
            let row = try await database.sql.raw(
                "SELECT id FROM invitations WHERE subject_id = \(bind: subject) AND used_at IS NULL").first()
            let id = try row?.decode(column: "id", as: String.self)
            try await database.close()
            return try #require(id)
        } catch {
            try? await database.close()
            throw error
        }
    }

    /// No log or SQLite file holds the token.
    static func nowhereOnDisk(_ token: String, cluster: Cluster) throws {
        let root = URL(fileURLWithPath: cluster.topology.dataDirectory)
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let candidates = files.filter { $0.pathExtension == "log" || $0.lastPathComponent.contains(".sqlite") }
        #expect(candidates.count >= 5)
        for file in candidates {
            let bytes = (try? Data(contentsOf: file)) ?? Data()
            #expect(bytes.range(of: Data(token.utf8)) == nil, "\(file.lastPathComponent) holds the invitation token")
        }
    }

    /// On PostgreSQL, no row of AccountService's tables holds the token.
    static func nowhereInPostgres(_ token: String, cluster: Cluster) async throws {
        guard let url = cluster.topology.databaseURL else { return }
        let schema = cluster.topology.schemaPrefix + "account"
        let database = try await Database.open(url: url, schema: "public", sqlitePath: "", logger: Logger(label: "secrecy-check"))
        do {
            let tables = try await database.sql.raw(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = \(bind: schema)"
            ).all().map { try $0.decode(column: "table_name", as: String.self) }
            for table in tables {
                let hits = try await database.sql.raw("""
                    SELECT count(*) AS hits FROM \(ident: schema).\(ident: table) AS r WHERE strpos(r::text, \(bind: token)) > 0
                    """).first()?.decode(column: "hits", as: Int.self)
                #expect(hits == 0, "\(schema).\(table) holds the invitation token")
            }
            try await database.close()
        } catch {
            try? await database.close()
            throw error
        }
    }
}
