import AtriumCluster
import AtriumRuntime
import Foundation
import NIOHTTP1
import Testing

/// Contacts who can receive chat messages, made the way a firm makes them: added with portal
/// access, invited, and accepting the invitation whose token NotifyService would have e-mailed.
enum PortalContacts {
    /// Adds `email` to `account` and activates them; their id and bearer header.
    static func activated(_ cluster: Cluster, owner: String, account: String, email: String) async throws -> (id: String, bearer: String) {
        try await TestStorage.with(.sqlite) { storage in
            try await TestConsumer.run(storage: storage) { consumer, hook in
                let asNotify = ServiceHTTP(base: cluster.url(.account), token: try await TestConfiguration.serviceToken("notify-service", to: .account))
                let subscription = "portal-contacts-\(UInt32.random(in: 0...UInt32.max))"
                #expect(try await asNotify.send(.PUT, "/v1/webhooks/subscriptions/\(subscription)", json: [
                    "url": hook, "secret": TestConsumer.secret, "eventTypes": ["account.invitation_created"],
                ]).status == 201)
                let asOwner = ServiceHTTP(base: cluster.url(.account), token: owner)
                let added = try await asOwner.send(.POST, "/v1/accounts/\(account)/contacts", json: [
                    "email": email, "firstName": "Cleo", "lastName": "Client", "portalAccess": true,
                ])
                let id = try #require(added.json["id"] as? String, "\(added.json)")
                #expect(try await asOwner.send(.POST, "/v1/accounts/\(account)/contacts/\(id)/invitation").status == 202)
                let token = try await MatrixWorld.invitationToken(cluster, consumer: consumer, subject: id)
                let accepted = try await ServiceHTTP(base: cluster.url(.account))
                    .send(.POST, "/v1/invitations/accept", json: ["token": token, "password": "a long enough password"])
                #expect(accepted.status == 200, "\(accepted.json)")
                _ = try await asNotify.send(.DELETE, "/v1/webhooks/subscriptions/\(subscription)")
                return (id, "Bearer " + (try #require(accepted.json["accessToken"] as? String)))
            }
        }
    }
}
