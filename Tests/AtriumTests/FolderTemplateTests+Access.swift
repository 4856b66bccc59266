import AtriumRuntime
@testable import DocService
import Foundation
import HTTPTypes
import Testing

/// Who may do what with folder templates: owners and admins manage them, every team member of the
/// firm reads them, contacts never; applying needs "manage documents" on an account the caller
/// sees, or a service token; another firm's templates are 404.
extension FolderTemplateTests {
    @Test("owners and admins manage; employees read; contacts nothing; another firm's are 404", arguments: TestEngine.all)
    func catalogueAccess(engine: TestEngine) async throws {
        try await Docs.with(engine) { docs in
            let id = try await docs.template("Onboarding", Self.standard)
            let admin = try await Docs.member("mem_admin", role: .admin)
            let manager = try await Docs.member("mem_docs", rights: [Rights.manageDocuments])
            let contact = try await Docs.contact("con_1")
            let stranger = try await TestConfiguration.memberToken(firm: "firm_other", id: "mem_x")
            let service = try await TestConfiguration.serviceToken("pipeline-service", to: .doc)

            #expect(try await docs.send(.post, "/v1/folder-templates", ["name": "By admin", "folders": [Docs.node("A")]], as: admin).status == .created)
            #expect(try await docs.send(.patch, "/v1/folder-templates/\(id)", ["name": "Renamed"], as: admin).status == .ok)
            for (token, who) in [(manager, "an employee with manage documents"), (contact, "a contact"), (service, "a service")] {
                let made = try await docs.send(.post, "/v1/folder-templates", ["name": "X", "folders": [Docs.node("A")]], as: token)
                #expect(made.status == .forbidden && made.json["type"] as? String == Self.problems + "forbidden", "\(who): \(made.json)")
                #expect(try await docs.send(.patch, "/v1/folder-templates/\(id)", ["name": "X"], as: token).status == .forbidden, "\(who)")
                #expect(try await docs.send(.delete, "/v1/folder-templates/\(id)", as: token).status == .forbidden, "\(who)")
            }
            #expect((try await docs.send(.get, "/v1/folder-templates", as: manager).json["items"] as? [Any])?.count == 2)
            #expect(try await docs.send(.get, "/v1/folder-templates/\(id)", as: manager).status == .ok)
            #expect(try await docs.send(.get, "/v1/folder-templates/\(id)", as: service).status == .ok, "the pipeline reads templates by id")
            #expect(try await docs.send(.get, "/v1/folder-templates", as: contact).status == .forbidden)
            #expect(try await docs.send(.get, "/v1/folder-templates/\(id)", as: contact).status == .forbidden)

            // Another firm: nothing to see, and its own list is empty.
            for method in [HTTPRequest.Method.get, .delete] {
                let answer = try await docs.send(method, "/v1/folder-templates/\(id)", as: stranger)
                #expect(answer.status == .notFound && answer.json["type"] as? String == Self.problems + "folder-template-not-found")
            }
            #expect(try await docs.send(.patch, "/v1/folder-templates/\(id)", ["name": "Mine"], as: stranger).status == .notFound)
            #expect((try await docs.send(.get, "/v1/folder-templates", as: stranger).json["items"] as? [Any])?.isEmpty == true)
            let theirs = try await docs.send(.post, "/v1/folder-templates", ["name": "Renamed", "folders": [Docs.node("A")]], as: stranger)
            #expect(theirs.status == .created, "names are unique per firm, not across firms")
        }
    }

    @Test("apply: \"manage documents\" on a visible account or a service token; others refused, nothing made", arguments: TestEngine.all)
    func applyAccess(engine: TestEngine) async throws {
        try await Docs.with(engine) { docs in
            let id = try await docs.template("Onboarding", Self.standard)
            let manager = try await Docs.member("mem_docs", rights: [Rights.manageDocuments])
            let plain = try await Docs.member("mem_plain")
            let contact = try await Docs.contact("con_1")
            let stranger = try await TestConfiguration.memberToken(firm: "firm_other", id: "mem_x")
            let refusals: [(String, String, String, HTTPResponse.Status)] = [
                (plain, "acct_1", "an assigned employee without the right", .forbidden),
                (contact, "acct_1", "the account's contact", .forbidden),
                (contact, "acct_2", "a contact of another account", .notFound),
                (manager, "acct_2", "the right on an account the employee cannot see", .notFound),
                (stranger, "acct_1", "another firm's owner", .notFound),
                (stranger, "acct_other", "another firm's owner on their own account", .notFound),
            ]
            for (token, account, who, status) in refusals {
                let answer = try await docs.apply(id, to: account, as: token)
                #expect(answer.status == status, "\(who): \(answer.json)")
            }
            let service = try await TestConfiguration.serviceToken("pipeline-service", to: .doc)
            #expect(try await docs.apply(id, to: "acct_other", as: service).status == .notFound, "a template applies only in its own firm")
            #expect(try await docs.apply("ftpl_missing", to: "acct_1").status == .notFound)
            for account in ["acct_1", "acct_2"] {
                #expect(try await docs.paths(account).isEmpty, "nothing made in \(account)")
            }
            let theirs = try await docs.send(.get, "/v1/accounts/acct_other/folders", as: stranger)
            #expect(theirs.status == .ok && (theirs.json["items"] as? [Any])?.isEmpty == true)
            #expect(try await docs.appliedEvents().isEmpty)

            let byManager = try await docs.apply(id, as: manager)
            #expect(byManager.status == .ok && Docs.paths(byManager.json["created"]) == Self.standardPaths)
            #expect(try await docs.appliedEvents().first?["appliedBy"] as? String == "mem_docs")
        }
    }

    @Test("the pipeline's service token applies under an Idempotency-Key: a redelivery gets the first answer", arguments: TestEngine.all)
    func serviceApply(engine: TestEngine) async throws {
        try await Docs.with(engine) { docs in
            let id = try await docs.template("Onboarding", Self.standard)
            let service = try await TestConfiguration.serviceToken("pipeline-service", to: .doc)
            let first = try await docs.apply(id, to: "acct_2", as: service, key: "msg_123:automation_1")
            #expect(first.status == .ok && !first.replayed && Docs.paths(first.json["created"]) == Self.standardPaths, "\(first.json)")
            let again = try await docs.apply(id, to: "acct_2", as: service, key: "msg_123:automation_1")
            #expect(again.status == .ok && again.replayed)
            #expect(Docs.paths(again.json["created"]) == Self.standardPaths, "the first answer again, not a second run")
            let fresh = try await docs.apply(id, to: "acct_2", as: service, key: "msg_456:automation_1")
            #expect(fresh.status == .ok && !fresh.replayed && Docs.paths(fresh.json["created"]).isEmpty)
            #expect(try await docs.paths("acct_2") == Self.standardPaths)
            let events = try await docs.appliedEvents()
            #expect(events.count == 1 && events.first?["appliedBy"] as? String == "pipeline-service")
        }
    }
}
