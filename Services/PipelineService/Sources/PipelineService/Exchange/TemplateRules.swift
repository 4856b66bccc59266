import Foundation
import PipelineAPI

/// What a template in a document must be: the limits of the service it goes to (ChatService,
/// NotifyService, DocService), checked before the import makes anything, so that a bad template
/// is a 400 naming it rather than a refusal halfway through.
enum TemplateRules {
    static func check(_ template: PortableTemplate, path: String) throws {
        let ref = template.ref
        guard (1...64).contains(ref.count), ref.first?.isASCII == true, ref.first?.isLetter == true || ref.first?.isNumber == true,
              ref.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }) else {
            throw ExchangeError.invalid("\(path).ref must be 1 to 64 letters, digits, _, - or ., starting with a letter or digit.")
        }
        switch template {
        case .chat(let t):
            try text(t.name, "\(path).name", max: 120, line: true)
            try text(t.subject, "\(path).subject", max: 300, line: true)
            try text(t.body, "\(path).body", max: 20000, line: false)
            guard (t.tasks ?? []).count <= 200 else { throw ExchangeError.invalid("\(path).tasks: at most 200.") }
            for (i, task) in (t.tasks ?? []).enumerated() { try text(task.text, "\(path).tasks[\(i)].text", max: 2000, line: false) }
            if let days = t.reminders?.daysUntilNext, !(1...365).contains(days) { throw ExchangeError.invalid("\(path).reminders.daysUntilNext is 1 to 365.") }
            if let count = t.reminders?.count, !(1...20).contains(count) { throw ExchangeError.invalid("\(path).reminders.count is 1 to 20.") }
        case .email(let t):
            try text(t.name, "\(path).name", max: 200, line: true)
            try text(t.subject, "\(path).subject", max: 300, line: true)
            try text(t.body, "\(path).body", max: 20000, line: false)
        case .folder(let t):
            try text(t.name, "\(path).name", max: 120, line: true)
            guard !t.folders.isEmpty else { throw ExchangeError.invalid("\(path).folders: at least one folder.") }
            var count = 0
            try folders(t.folders, path: "\(path).folders", depth: 1, count: &count)
        case .item(let t):
            try text(t.name, "\(path).name", max: 200, line: true)
            let size = (try? JSONEncoder().encode(t.content).count) ?? Int.max
            guard size <= PipelineDocumentReader.maxItemContentBytes else {
                throw ExchangeError.invalid("\(path).content is \(size) bytes as JSON; at most \(PipelineDocumentReader.maxItemContentBytes).")
            }
        }
    }

    /// A folder structure: at most 10 levels and 500 folders, names unique among siblings in any case.
    private static func folders(_ nodes: [Components.Schemas.PortableFolder], path: String, depth: Int, count: inout Int) throws {
        guard depth <= 10 else { throw ExchangeError.invalid("\(path): folder templates are at most 10 levels deep.") }
        var names: Set<String> = []
        for (i, node) in nodes.enumerated() {
            count += 1
            guard count <= 500 else { throw ExchangeError.invalid("\(path): folder templates hold at most 500 folders.") }
            try text(node.name, "\(path)[\(i)].name", max: 120, line: true)
            guard !node.name.contains("/") else { throw ExchangeError.invalid("\(path)[\(i)].name holds a slash.") }
            guard names.insert(node.name.lowercased()).inserted else {
                throw ExchangeError.invalid("\(path)[\(i)].name \(node.name.debugDescription) is a sibling's too, in some case.")
            }
            try folders(node.children ?? [], path: "\(path)[\(i)].children", depth: depth + 1, count: &count)
        }
    }

    /// 1 to `max` code points, not blank; `line`: one line, no control characters.
    static func text(_ value: String, _ path: String, max: Int, line: Bool) throws {
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ExchangeError.invalid("\(path) must not be empty.") }
        guard value.unicodeScalars.count <= max else { throw ExchangeError.invalid("\(path) is longer than \(max) characters.") }
        if line, value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ExchangeError.invalid("\(path) must be one line without control characters.")
        }
    }
}
