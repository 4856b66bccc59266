import AtriumRuntime
import Foundation
import HTTPTypes
import Testing

/// Chat templates changed by several requests at once: the unique index settles names, and a
/// change locks the template so that changes of different fields all stay.
extension ChatTemplateTests {
    @Test("20 creates of one name at once: one 201, the rest 409", arguments: TestEngine.all)
    func createRace(engine: TestEngine) async throws {
        try await Chat.with(engine) { chat in
            let statuses = try await UniqueRaceTests.race(chat.client, .post, { _ in "/v1/chat-templates" }, token: chat.owner) { index in
                ["name": index.isMultiple(of: 2) ? "Same" : "SAME", "subject": "S \(index)", "body": "B"]
            }
            #expect(statuses.filter { $0 == 201 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == UniqueRaceTests.racers - 1, "\(statuses)")
            #expect(try await chat.names().count == 1)
        }
    }

    @Test("a subject and a body changed at once both stay", arguments: TestEngine.all)
    func fieldsChangedAtOnce(engine: TestEngine) async throws {
        try await Chat.with(engine) { chat in
            let id = try await chat.template("Busy")
            for round in 0..<8 {
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for field in 0..<3 {
                        group.addTask { try await chat.send(.patch, "/v1/chat-templates/\(id)", Self.change(field, round: round)).status }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses)")
                let template = try await chat.send(.get, "/v1/chat-templates/\(id)").json
                #expect(template["subject"] as? String == "Subject \(round)" && template["body"] as? String == "Body \(round)", "round \(round)")
                #expect(Self.tasks(template) == ["Task \(round)"], "round \(round)")
            }
        }
    }

    /// Round `round`'s change of one field: the subject, the body or the tasks.
    static func change(_ field: Int, round: Int) -> [String: Any] {
        switch field {
        case 0: ["subject": "Subject \(round)"]
        case 1: ["body": "Body \(round)"]
        default: ["tasks": [["text": "Task \(round)"]]]
        }
    }
}
