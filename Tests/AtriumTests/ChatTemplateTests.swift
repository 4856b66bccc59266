import AtriumShortcodes
import AtriumRuntime
import ChatAPI
@testable import ChatService
import Foundation
import HTTPTypes
import Testing

/// Chat templates (SPEC "Chats"): a firm's subject, body, client tasks and reminder settings for
/// starting threads, with shortcodes checked when the template is saved. Who may do what is
/// `+Access`; the shortcodes themselves are `ShortcodeTests`.
@Suite("ChatService: chat templates")
struct ChatTemplateTests {
    typealias Chat = TemplateChat
    static let problems = "https://atrium.dev/problems/"

    @Test("create with everything, read, rename, change each field, switch reminders off, delete", arguments: TestEngine.all)
    func crud(engine: TestEngine) async throws {
        try await Chat.with(engine) { chat in
            let id = try await chat.template("Year end", subject: "[ACCOUNT_NAME]: your [LAST_YEAR] return", body: "Dear [CONTACT_FIRST_NAME],", [
                "tasks": [["text": " Upload your P60 "], ["text": "Sign [the letter](https://example.com/l)"]],
                "reminders": ["daysUntilNext": 5, "count": 2],
            ])
            #expect(id.hasPrefix("ctpl_") && Identifier.isWellFormed(id, prefix: "ctpl"))
            let got = try await chat.send(.get, "/v1/chat-templates/\(id)")
            #expect(got.status == .ok)
            #expect(got.json["name"] as? String == "Year end" && got.json["firmId"] as? String == "firm_test")
            #expect(got.json["subject"] as? String == "[ACCOUNT_NAME]: your [LAST_YEAR] return")
            #expect(got.json["body"] as? String == "Dear [CONTACT_FIRST_NAME],")
            #expect(Self.tasks(got.json) == ["Upload your P60", "Sign [the letter](https://example.com/l)"], "task texts trimmed")
            #expect(Self.reminders(got.json) == [5, 2])
            #expect(got.json["shortcodes"] as? [String] == ["ACCOUNT_NAME", "CONTACT_FIRST_NAME", "LAST_YEAR"])
            #expect(got.json["createdBy"] as? String == "mem_test" && got.json["createdAt"] as? String == got.json["updatedAt"] as? String)

            let changes: [([String: Any], (([String: Any]) -> Bool))] = [
                (["name": "  Year-end return  "], { $0["name"] as? String == "Year-end return" }),
                (["subject": "Hello [FIRM_NAME]"], { $0["subject"] as? String == "Hello [FIRM_NAME]" }),
                (["body": "Hi [CONTACT_FULL_NAME]"], { $0["shortcodes"] as? [String] == ["CONTACT_FULL_NAME", "FIRM_NAME"] }),
                (["tasks": [["text": "Only one"]]], { Self.tasks($0) == ["Only one"] }),
                (["reminders": ["count": 4]], { Self.reminders($0) == [3, 4] }),
                (["remindersOff": true], { $0["reminders"] == nil }),
                (["tasks": [[String: Any]]()], { Self.tasks($0) == [] }),
            ]
            for (change, holds) in changes {
                let answer = try await chat.send(.patch, "/v1/chat-templates/\(id)", change)
                #expect(answer.status == .ok && holds(answer.json), "\(change): \(answer.json)")
                #expect(holds(try await chat.send(.get, "/v1/chat-templates/\(id)").json), "\(change) was stored")
            }
            let final = try await chat.send(.get, "/v1/chat-templates/\(id)").json
            #expect(final["name"] as? String == "Year-end return" && final["body"] as? String == "Hi [CONTACT_FULL_NAME]",
                    "each change kept the others")

            #expect(try await chat.send(.delete, "/v1/chat-templates/\(id)").status == .noContent)
            let gone = try await chat.send(.get, "/v1/chat-templates/\(id)")
            #expect(gone.status == .notFound && gone.json["type"] as? String == Self.problems + "chat-template-not-found")
            #expect(try await chat.send(.delete, "/v1/chat-templates/\(id)").status == .notFound)
            #expect(try await chat.send(.patch, "/v1/chat-templates/\(id)", ["name": "X"]).status == .notFound)
        }
    }

    @Test("reminders: absent is off, an empty object takes the defaults (3 days, 1 reminder)", arguments: TestEngine.all)
    func reminderDefaults(engine: TestEngine) async throws {
        try await Chat.with(engine) { chat in
            let off = try await chat.template("Off")
            #expect(try await chat.send(.get, "/v1/chat-templates/\(off)").json["reminders"] == nil)
            let defaults = try await chat.template("Defaults", ["reminders": [String: Any]()])
            #expect(Self.reminders(try await chat.send(.get, "/v1/chat-templates/\(defaults)").json) == [3, 1])
            let unchanged = try await chat.send(.patch, "/v1/chat-templates/\(defaults)", [:])
            #expect(unchanged.status == .ok && Self.reminders(unchanged.json) == [3, 1], "an empty change changes nothing")
            #expect(unchanged.json["updatedAt"] as? String == unchanged.json["createdAt"] as? String)
        }
    }

    @Test("listed in name order in any case, a page at a time, and searched by part of the name", arguments: TestEngine.all)
    func listing(engine: TestEngine) async throws {
        try await Chat.with(engine) { chat in
            for name in ["VAT return", "annual accounts", "Payroll 50%", "Tax year end", "  bookkeeping  ", "Payroll_weekly"] {
                try await chat.template(name)
            }
            let all = ["annual accounts", "bookkeeping", "Payroll 50%", "Payroll_weekly", "Tax year end", "VAT return"]
            #expect(try await chat.names() == all)
            #expect(try await chat.names(limit: 100) == all)
            #expect(try await chat.names(search: "A") == all.filter { $0.lowercased().contains("a") })
            #expect(try await chat.names(search: "  RETURN ") == ["VAT return"], "trimmed, any case")
            #expect(try await chat.names(search: "50%") == ["Payroll 50%"], "% is a character, not a pattern")
            #expect(try await chat.names(search: "l_w") == ["Payroll_weekly"], "so is _")
            #expect(try await chat.names(search: "nothing like it").isEmpty)
            let page = try await chat.send(.get, "/v1/chat-templates?limit=6").json
            #expect((page["items"] as? [Any])?.count == 6 && page["nextCursor"] == nil, "a full last page has no cursor")
            for bad in ["limit=0", "limit=101", "cursor=%25%25", "search=" + String(repeating: "x", count: 201)] {
                let answer = try await chat.send(.get, "/v1/chat-templates?\(bad)")
                #expect(answer.status == .badRequest, "\(bad): \(answer.json)")
            }
        }
    }

    @Test("a name is the firm's once, in any case: 409 naming it on create and rename", arguments: TestEngine.all)
    func nameClash(engine: TestEngine) async throws {
        try await Chat.with(engine) { chat in
            let first = try await chat.template("Onboarding")
            let second = try await chat.template("Welcome")
            let clash = try await chat.send(.post, "/v1/chat-templates", ["name": " ONBOARDING ", "subject": "S", "body": "B"])
            #expect(clash.status == .conflict && clash.json["type"] as? String == Self.problems + "chat-template-name-taken")
            #expect((clash.json["detail"] as? String)?.contains("\"ONBOARDING\"") == true, "\(clash.json)")
            let rename = try await chat.send(.patch, "/v1/chat-templates/\(second)", ["name": "onboarding", "subject": "Changed"])
            #expect(rename.status == .conflict && (rename.json["detail"] as? String)?.contains("\"onboarding\"") == true)
            #expect(try await chat.send(.get, "/v1/chat-templates/\(second)").json["subject"] as? String == "Year-end documents",
                    "a refused change changes nothing")
            let recased = try await chat.send(.patch, "/v1/chat-templates/\(first)", ["name": "ONBOARDING"])
            #expect(recased.status == .ok && recased.json["name"] as? String == "ONBOARDING", "a template may change its own name's case")
            #expect(try await chat.names() == ["ONBOARDING", "Welcome"])
        }
    }

    @Test("each field's rules, refused with a problem naming the field", arguments: TestEngine.all)
    func validation(engine: TestEngine) async throws {
        try await Chat.with(engine) { chat in
            let valid: [String: Any] = ["name": "T", "subject": "S", "body": "B"]
            let cases: [(String, [String: Any], String)] = [
                ("empty name", ["name": "  "], "name must be 1 to 120"),
                ("long name", ["name": String(repeating: "n", count: 121)], "name must be 1 to 120"),
                ("control character in the name", ["name": "A\u{7}B"], "name must be one line"),
                ("empty subject", ["subject": ""], "subject must be 1 to 300"),
                ("long subject", ["subject": String(repeating: "s", count: 301)], "subject must be 1 to 300"),
                ("two-line subject", ["subject": "One\nTwo"], "subject must be one line"),
                ("empty body", ["body": ""], "body must be 1 to 20000"),
                ("blank body", ["body": " \n\t "], "body must be 1 to 20000"),
                ("long body", ["body": String(repeating: "b", count: 20_001)], "body must be 1 to 20000"),
                ("NUL in the body", ["body": "a\u{0}b"], "body may not contain control characters"),
                ("201 tasks", ["tasks": (0...200).map { ["text": "T\($0)"] }], "at most 200 tasks"),
                ("blank task", ["tasks": [["text": "ok"], ["text": "  "]]], "tasks[1].text must be 1 to 2000"),
                ("long task", ["tasks": [["text": String(repeating: "t", count: 2001)]]], "tasks[0].text must be 1 to 2000"),
                ("no days", ["reminders": ["daysUntilNext": 0]], "reminders.daysUntilNext must be 1 to 365"),
                ("a year and a day", ["reminders": ["daysUntilNext": 366]], "reminders.daysUntilNext must be 1 to 365"),
                ("no reminders", ["reminders": ["count": 0]], "reminders.count must be 1 to 20"),
                ("21 reminders", ["reminders": ["count": 21]], "reminders.count must be 1 to 20"),
            ]
            for (what, fields, detail) in cases {
                let answer = try await chat.send(.post, "/v1/chat-templates", valid.merging(fields) { $1 })
                #expect(answer.status == .badRequest && answer.json["type"] as? String == Self.problems + "invalid-chat-template",
                        "\(what): \(answer.json)")
                #expect((answer.json["detail"] as? String)?.contains(detail) == true, "\(what): \(answer.json["detail"] ?? "")")
            }
            for (what, body) in [("no subject", ["name": "T", "body": "B"]), ("tasks not a list", valid.merging(["tasks": "nope"]) { $1 })] {
                #expect(try await chat.send(.post, "/v1/chat-templates", body).status == .badRequest, "\(what)")
            }
            #expect(try await chat.names().isEmpty, "nothing refused was stored")
            let id = try await chat.template("T")
            let changes: [(String, [String: Any])] = [
                ("both", ["reminders": ["count": 2], "remindersOff": true]), ("long name", ["name": String(repeating: "n", count: 121)]),
            ]
            for (what, change) in changes {
                let answer = try await chat.send(.patch, "/v1/chat-templates/\(id)", change)
                #expect(answer.status == .badRequest && answer.json["type"] as? String == Self.problems + "invalid-chat-template", "\(what)")
            }
        }
    }

    @Test("an unknown shortcode is refused when saved, every one named with where it is; links and prose brackets are text",
          arguments: TestEngine.all)
    func unknownShortcodes(engine: TestEngine) async throws {
        try await Chat.with(engine) { chat in
            let refused = try await chat.send(.post, "/v1/chat-templates", [
                "name": "Typos", "subject": "[CLIENT] update",
                "body": "Dear [CLIENT_NAME], see [THE_GUIDE](https://example.com) and [CLIENT_NAME] [ACCOUNT_NAME] [FIRM]",
            ])
            #expect(refused.status == .badRequest && refused.json["type"] as? String == Self.problems + "unknown-shortcode")
            let detail = refused.json["detail"] as? String ?? ""
            #expect(detail.contains("Unknown shortcode [CLIENT] in subject."), "\(detail)")
            #expect(detail.contains("Unknown shortcodes [CLIENT_NAME], [FIRM] in body."), "\(detail)")
            #expect(!detail.contains("[THE_GUIDE]") && detail.contains("[ACCOUNT_NAME], [CONTACT_FIRST_NAME]"), "the known ones listed: \(detail)")
            let one = try await chat.send(.post, "/v1/chat-templates", ["name": "One", "subject": "S", "body": "Dear [CLIENT_NAME],"])
            #expect((one.json["detail"] as? String)?.hasPrefix("Unknown shortcode [CLIENT_NAME] in body.") == true, "\(one.json)")

            let prose = "- [X] done, option [A], note [1], [2024] figures, [Account_Name], [account], \\[TODO], [SEE_ME](https://example.com)"
            let id = try await chat.template("Prose", body: prose)
            let saved = try await chat.send(.get, "/v1/chat-templates/\(id)").json
            #expect(saved["body"] as? String == prose && saved["shortcodes"] as? [String] == [])
            let edit = try await chat.send(.patch, "/v1/chat-templates/\(id)", ["subject": "Fine [CURRENT_YEAR]", "body": "Not [JOBNAME]"])
            #expect(edit.status == .badRequest && (edit.json["detail"] as? String)?.hasPrefix("Unknown shortcode [JOBNAME] in body.") == true)
            #expect(try await chat.send(.get, "/v1/chat-templates/\(id)").json["body"] as? String == prose, "a refused change changes nothing")
        }
    }

    @Test("the contract's limits are the code's")
    func limits() async throws {
        for schema in ["ChatTemplateInput", "ChatTemplateChange"] {
            let rules: [(String, (String) throws -> String)] = [
                ("name", ChatTemplateRules.name), ("subject", ChatTemplateRules.subject), ("body", ChatTemplateRules.body),
            ]
            for (property, rule) in rules {
                try await ContractLimitsTests.check("ChatAPI", schema, property) { text in ContractLimitsTests.succeeds { try rule(text) } }
            }
        }
        try await ContractLimitsTests.check("ChatAPI", "ChatTemplateTask", "text") { text in
            ContractLimitsTests.succeeds { try ChatTemplateRules.tasks([.init(text: text)]) }
        }
    }

    static func tasks(_ template: [String: Any]) -> [String]? {
        (template["tasks"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
    }

    /// [daysUntilNext, count], or nil when reminders are off.
    static func reminders(_ template: [String: Any]) -> [Int]? {
        (template["reminders"] as? [String: Any]).map { [$0["daysUntilNext"] as? Int ?? 0, $0["count"] as? Int ?? 0] }
    }
}
