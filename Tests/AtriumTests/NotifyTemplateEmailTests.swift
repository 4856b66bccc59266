import AtriumRuntime
import Foundation
import HTTPTypes
import HummingbirdTesting
@testable import NotifyService
import Testing

/// A firm's e-mail templates and the pipeline's "send e-mail": shortcodes checked when saved and
/// filled per contact when sent, once per key.
@Suite("NotifyService: e-mail templates and template e-mails")
struct NotifyTemplateEmailTests {
    static var draft: [String: Any] { [
        "name": "Engagement letter", "subject": "[ACCOUNT_NAME]: your [LAST_YEAR] return",
        "body": "Dear [CONTACT_FIRST_NAME],\nyour return for [JOB_NAME] is ready at [FIRM_NAME].\nWrite \\[FIRM_NAME] for the name.",
    ] }

    @Test("owners and admins manage templates; team members read them; unknown shortcodes and taken names are refused, named")
    func manage() async throws {
        try await NotifyWorld.run { world in
            let (status, created) = try await world.send(.post, "/v1/email-templates", Self.draft, as: world.owner)
            #expect(status == 201, "\(created)")
            let id = try #require(created["id"] as? String)
            #expect(try await world.send(.post, "/v1/email-templates", Self.draft, as: world.assigned).status == 403)
            #expect(try await world.send(.get, "/v1/email-templates/\(id)", as: world.assigned).status == 200)
            #expect(try await world.send(.get, "/v1/email-templates/\(id)", as: world.contact).status == 403)
            #expect(try await world.send(.get, "/v1/email-templates/\(id)", as: world.stranger).status == 404)
            #expect(try await world.send(.get, "/v1/email-templates", as: world.assigned).json["items"].map { ($0 as? [Any])?.count } == 1)
            var typo = Self.draft
            typo["name"] = "Typo"
            typo["body"] = "Dear [CLIENT_NAME] and [CONTACT_NAME]"
            let refused = try await world.send(.post, "/v1/email-templates", typo, as: world.owner)
            #expect(refused.status == 400 && (refused.json["detail"] as? String)?.contains("[CLIENT_NAME], [CONTACT_NAME]") == true, "\(refused.json)")
            var taken = Self.draft
            taken["name"] = "ENGAGEMENT LETTER"
            #expect(try await world.send(.post, "/v1/email-templates", taken, as: world.owner).status == 409)
            let (patched, after) = try await world.send(.patch, "/v1/email-templates/\(id)", ["subject": "Ready: [ACCOUNT_NAME]"], as: world.owner)
            #expect(patched == 200 && after["subject"] as? String == "Ready: [ACCOUNT_NAME]" && after["body"] as? String == Self.draft["body"] as? String)
            #expect(try await world.send(.patch, "/v1/email-templates/\(id)", ["subject": "[NOPE]"], as: world.owner).status == 400)
            #expect(try await world.send(.delete, "/v1/email-templates/\(id)", as: world.assigned).status == 403)
            #expect(try await world.send(.delete, "/v1/email-templates/\(id)", as: world.owner).status == 204)
            #expect(try await world.send(.get, "/v1/email-templates/\(id)", as: world.owner).status == 404)
        }
    }

    @Test("a template e-mail goes to each notify-on contact with its shortcodes filled, once per Idempotency-Key")
    func send() async throws {
        try await NotifyWorld.run { world in
            let template = try #require(try await world.send(.post, "/v1/email-templates", Self.draft, as: world.owner).json["id"] as? String)
            let body: [String: Any] = ["templateId": template, "jobName": "2025 Tax Return"]
            let send = { (token: String, key: String?, account: String) async throws -> (status: Int, json: [String: Any]) in
                var headers = HTTPFields.bearer(token)
                if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
                return try await world.client.execute(uri: "/v1/accounts/\(account)/emails", method: .post, headers: headers,
                                                      body: try JSON.buffer(body)) { (Int($0.status.code), $0.json) }
            }
            let (status, sent) = try await send(world.service, "job-7:stage-2:email-1", "acct_1")
            #expect(status == 201, "\(sent)")
            let ids = (sent["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids.count == 2, "both notify-on contacts")
            try await eventually("both e-mails sent") { world.mailer.sent.count == 2 }
            let carla = try #require(world.mailer.sent.first { $0.to.first?.email == "carla@client.example" })
            #expect(carla.subject == "Client & Co: your \(Calendar(identifier: .gregorian).component(.year, from: Date()) - 1) return")
            #expect(carla.text.contains("Dear Carla,") && carla.text.contains("your return for 2025 Tax Return is ready at Skeleton <Sons>."))
            #expect(carla.text.contains("Write [FIRM_NAME] for the name."), "an escaped shortcode stays as written")
            #expect(carla.text.hasPrefix("Client & Co"), "no empty greeting line")
            #expect(carla.html.contains("Skeleton &lt;Sons&gt;") && !carla.html.contains("Skeleton <Sons>"), "values are escaped in HTML")

            let again = try await send(world.service, "job-7:stage-2:email-1", "acct_1")
            #expect(again.status == 201 && (again.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == ids)
            #expect(world.mailer.sent.count == 2, "the same key sends nothing again")

            #expect(try await send(world.service, nil, "acct_1").status == 400, "a key is required")
            #expect(try await send(world.contact, "k2", "acct_1").status == 403)
            #expect(try await send(world.unassigned, "k3", "acct_1").status == 404, "an account the member may not see")
            #expect(try await send(world.stranger, "k4", "acct_1").status == 404)
            #expect(try await send(world.owner, "k5", "acct_9").status == 404)
            var other = body
            other["templateId"] = "etpl_missing"
            let missing = try await world.client.execute(uri: "/v1/accounts/acct_1/emails", method: .post,
                                                         headers: .bearer(world.owner).merging(["Idempotency-Key": "k6"]),
                                                         body: try JSON.buffer(other)) { Int($0.status.code) }
            #expect(missing == 404)
            // Contacts without the notify flag are not in the audience: nobody to write to.
            world.directory.update { $0.contacts = [] }
            let none = try await send(world.assigned, "k7", "acct_1")
            #expect(none.status == 201 && (none.json["items"] as? [Any])?.isEmpty == true)
        }
    }
}

extension HTTPFields {
    /// These fields and `extra`'s (names must be valid).
    func merging(_ extra: [String: String]) -> HTTPFields {
        var fields = self
        for (name, value) in extra { fields[HTTPField.Name(name)!] = value }
        return fields
    }
}
