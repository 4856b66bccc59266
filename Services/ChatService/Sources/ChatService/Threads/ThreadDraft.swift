import AtriumRuntime
import ChatAPI
import Foundation

/// A validated request to start a thread; a template, when named, fills in what it leaves out.
struct ThreadDraft {
    let accountID: String
    var subject: String
    /// The first message's text; nil when the thread starts with tasks or attachments alone.
    var text: String?
    var tasks: [String]
    let recipientIDs: [String]?
    let mentions: [String]
    let attachments: [String]
    let jobIDs: [String]
    let templateID: String?
    /// What `[JOB_NAME]` stands for (the pipeline's "send message" automation gives it).
    let jobName: String?
    var reminders: (days: Int?, count: Int?)?

    /// `checkingContent: false` leaves the subject and content to be checked once it is known
    /// what they are for (a reply needs no subject).
    init(_ input: Components.Schemas.ThreadInput, checkingContent: Bool = true) throws {
        accountID = input.accountId.trimmingCharacters(in: .whitespacesAndNewlines)
        subject = (input.subject ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        templateID = input.templateId
        jobName = try input.jobName.map { try Self.jobName($0) }
        guard (1...100).contains(accountID.unicodeScalars.count) else { throw ChatError.invalid("accountId must be 1 to 100 characters.") }
        guard (templateID != nil || !checkingContent) && subject.isEmpty || (1...300).contains(subject.unicodeScalars.count) else {
            throw ChatError.invalid("subject must be 1 to 300 characters.")
        }
        let raw = input.text ?? ""
        text = raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : try MessageText.validate(raw)
        tasks = try TaskTexts.validate((input.tasks ?? []).map(\.text), field: "tasks")
        recipientIDs = try input.recipientIds.map { try IDList.validate($0, field: "recipientIds", max: 50) }
        mentions = try IDList.validate(input.mentions ?? [], field: "mentions", max: 50)
        attachments = try IDList.validate(input.attachments ?? [], field: "attachments", max: 20)
        jobIDs = try IDList.validate(input.jobIds ?? [], field: "jobIds", max: 20)
        reminders = input.reminders.map { ($0.daysUntilNext, $0.count) }
        if templateID == nil, checkingContent { try checkContent() }
    }

    /// A thread needs a subject and starts with a message, client tasks or attachments.
    func checkContent() throws {
        guard (1...300).contains(subject.unicodeScalars.count) else { throw ChatError.invalid("subject must be 1 to 300 characters.") }
        guard text != nil || !tasks.isEmpty || !attachments.isEmpty else {
            throw ChatError.invalid("A thread starts with a message (text), client tasks or attachments.")
        }
    }

    private static func jobName(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.unicodeScalars.count), !name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw ChatError.invalid("jobName must be 1 to 200 characters on one line.")
        }
        return name
    }
}

/// Task texts as a request gives them.
enum TaskTexts {
    static func validate(_ texts: [String], field: String, max: Int = 200) throws -> [String] {
        guard texts.count <= max else { throw ChatError.invalid("\(field) holds at most \(max) tasks.") }
        return try texts.enumerated().map { index, raw in
            let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...2000).contains(text.unicodeScalars.count) else { throw ChatError.invalid("\(field)[\(index)].text must be 1 to 2000 characters.") }
            guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) else {
                throw ChatError.invalid("\(field)[\(index)].text may not hold control characters.")
            }
            return text
        }
    }
}

/// Lists of ids in a request: each 1 to 100 printable characters, no repeats kept.
enum IDList {
    static func validate(_ ids: [String], field: String, max: Int) throws -> [String] {
        guard ids.count <= max else { throw ChatError.invalid("\(field) holds at most \(max) ids.") }
        var seen = Set<String>()
        return try ids.compactMap { id in
            guard (1...100).contains(id.utf8.count), id.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
                throw ChatError.invalid("\(field) holds an id that is not one: \(String(id.prefix(40)).debugDescription).")
            }
            return seen.insert(id).inserted ? id : nil
        }
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
