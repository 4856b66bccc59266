import AtriumRuntime
@testable import ChatService
import Foundation
import HTTPTypes
import Testing

/// Who may do what with chat templates: owners and admins manage them, every team member of the
/// firm lists and reads them, Atrium's services read them by id, contacts nothing; another firm's
/// templates are 404, as if they did not exist.
extension ChatTemplateTests {
    @Test("owners and admins manage; employees read; services read by id; contacts nothing; no token 401", arguments: TestEngine.all)
    func access(engine: TestEngine) async throws {
        try await Chat.with(engine) { chat in
            let id = try await chat.template("Onboarding")
            let admin = try await Chat.member("mem_admin", role: .admin)
            let employee = try await Chat.member("mem_plain", role: .employee)
            let contact = try await Chat.contact("con_1")
            let service = try await TestConfiguration.serviceToken("pipeline-service", to: .chat)
            let new = { (name: String) -> [String: Any] in ["name": name, "subject": "S", "body": "B"] }

            #expect(try await chat.send(.post, "/v1/chat-templates", new("By admin"), as: admin).status == .created)
            #expect(try await chat.send(.patch, "/v1/chat-templates/\(id)", ["subject": "By admin"], as: admin).status == .ok)
            for (token, who) in [(employee, "an employee"), (contact, "a contact"), (service, "a service")] {
                let made = try await chat.send(.post, "/v1/chat-templates", new("X"), as: token)
                #expect(made.status == .forbidden && made.json["type"] as? String == Self.problems + "forbidden", "\(who): \(made.json)")
                #expect(try await chat.send(.patch, "/v1/chat-templates/\(id)", ["name": "X"], as: token).status == .forbidden, "\(who)")
                #expect(try await chat.send(.delete, "/v1/chat-templates/\(id)", as: token).status == .forbidden, "\(who)")
            }
            #expect(try await chat.names(as: employee) == ["By admin", "Onboarding"])
            #expect(try await chat.send(.get, "/v1/chat-templates/\(id)", as: employee).status == .ok)
            #expect(try await chat.send(.get, "/v1/chat-templates/\(id)", as: service).status == .ok, "the pipeline reads templates by id")
            #expect(try await chat.send(.get, "/v1/chat-templates", as: service).status == .forbidden, "a service has no firm to list")
            for uri in ["/v1/chat-templates", "/v1/chat-templates/\(id)"] {
                #expect(try await chat.send(.get, uri, as: contact).status == .forbidden, "\(uri)")
                #expect(try await chat.send(.get, uri, as: "").status == .unauthorized, "\(uri)")
            }
            let admins = try await chat.send(.delete, "/v1/chat-templates/\(id)", as: admin)
            #expect(admins.status == .noContent)
        }
    }

    @Test("another firm's templates are 404 to its owner and its list is its own; names are unique per firm", arguments: TestEngine.all)
    func otherFirm(engine: TestEngine) async throws {
        try await Chat.with(engine) { chat in
            let id = try await chat.template("Onboarding")
            let stranger = try await TestConfiguration.memberToken(firm: "firm_other", id: "mem_x")
            let strangerEmployee = try await TestConfiguration.memberToken(firm: "firm_other", id: "mem_y", role: .employee)
            let requests: [(HTTPRequest.Method, [String: Any]?)] = [(.get, nil), (.patch, ["name": "Mine"]), (.delete, nil)]
            for (method, body) in requests {
                let answer = try await chat.send(method, "/v1/chat-templates/\(id)", body, as: stranger)
                #expect(answer.status == .notFound && answer.json["type"] as? String == Self.problems + "chat-template-not-found", "\(method)")
                let missing = try await chat.send(method, "/v1/chat-templates/ctpl_missing", body, as: stranger)
                #expect(missing.status == answer.status && missing.json["detail"] as? String == "No chat template ctpl_missing that you can see.")
            }
            #expect(try await chat.send(.get, "/v1/chat-templates/\(id)", as: strangerEmployee).status == .notFound)
            #expect(try await chat.names(as: stranger).isEmpty)
            let theirs = try await chat.send(.post, "/v1/chat-templates", ["name": "onboarding", "subject": "S", "body": "B"], as: stranger)
            #expect(theirs.status == .created, "names are unique per firm, not across firms")
            #expect(try await chat.names(as: stranger) == ["onboarding"])
            #expect(try await chat.names() == ["Onboarding"])
            #expect(try await chat.send(.get, "/v1/chat-templates/\(id)").json["name"] as? String == "Onboarding", "untouched by the other firm")
        }
    }
}
