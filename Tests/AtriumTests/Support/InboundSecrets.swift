import AtriumRuntime
import Foundation
import Logging
import SQLKit
import Testing

/// The secrets consumers made for their subscriptions, read from their own databases (they are
/// random per subscription, so a test that signs a webhook by hand must look them up).
enum InboundSecrets {
    /// The secret `service` registered `subscription` with, in `storage` (as the harness lays it out).
    static func read(_ storage: TestStorage, service: ServiceName, subscription: String) async throws -> String {
        try await read(databaseURL: storage.engine.postgresURL, schema: storage.schemaPrefix + service.rawValue,
                       sqlitePath: storage.directory.appendingPathComponent("\(service.rawValue).sqlite").path, subscription: subscription)
    }

    static func read(databaseURL: String?, schema: String, sqlitePath: String, subscription: String) async throws -> String {
        let database = try await Database.open(url: databaseURL, schema: schema, sqlitePath: sqlitePath, logger: Logger(label: "inbound-secrets"))
        let secret = try? await database.sql.raw(
            "SELECT secret FROM inbound_webhook_secrets WHERE subscription_id = \(bind: subscription)"
        ).first()?.decode(column: "secret", as: String.self)
        try await database.close()
        return try #require(secret, "no secret for \(subscription)")
    }

    /// Every secret of every subscription the services of `topology` registered.
    static func all(_ topology: Topology) async throws -> [String] {
        let subscriptions: [(ServiceName, String)] = [
            (.pipeline, "pipeline-service.chat"), (.chat, "chat-service.doc"), (.notify, "notify-service.chat"), (.notify, "notify-service.account"),
            (.notify, "notify-service.pipeline"),
        ]
            + [ServiceName.chat, .pipeline, .notify, .doc].map { ($0, "\($0.rawValue)-service.directory") }
        var secrets: [String] = []
        for (service, id) in subscriptions {
            secrets.append(try await read(databaseURL: topology.databaseURL, schema: topology.schemaPrefix + service.rawValue,
                                          sqlitePath: topology.dataDirectory + "/\(service.rawValue).sqlite", subscription: id))
        }
        return secrets
    }
}
