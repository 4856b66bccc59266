import AtriumRuntime
import Foundation
import OpenAPIRuntime
@testable import PipelineService
import PipelineAPI
import Synchronization

/// ChatService's, NotifyService's and DocService's templates and AccountService's tags and team,
/// in memory and per firm, as `TemplateExchange` sees them: each call acts in the firm of the
/// caller in `RequestScope` and records the bearer token it would have forwarded.
final class FakeTemplateExchange: TemplateExchange {
    private struct Firm {
        var templates: [TemplateKind: [StoredTemplate]] = [:]
        var tags: [TagEntry] = []
        var members: Set<String> = []
    }

    private struct State {
        var firms: [String: Firm] = [:]
        var tokens: [String] = []
        var refuseCreates = 0
    }

    private let state = Mutex(State())
    static let prefixes: [TemplateKind: String] = [.chat: "ctpl", .email: "etpl", .folder: "ftpl"]

    /// The bearer tokens the calls carried, in order.
    var tokens: [String] { state.withLock { $0.tokens } }

    @discardableResult
    func seed(_ template: PortableTemplate, firm: String) -> String {
        let id = Identifier.make(Self.prefixes[template.kind] ?? "itpl")
        state.withLock { $0.firms[firm, default: Firm()].templates[template.kind, default: []].append(StoredTemplate(id: id, template: template.with(ref: ""))) }
        return id
    }

    @discardableResult
    func seedTag(_ name: String, firm: String) -> String {
        let id = Identifier.make("tag")
        state.withLock { $0.firms[firm, default: Firm()].tags.append(TagEntry(id: id, name: name)) }
        return id
    }

    func setMembers(_ members: Set<String>, firm: String) { state.withLock { $0.firms[firm, default: Firm()].members = members } }
    func stored(_ kind: TemplateKind, firm: String) -> [StoredTemplate] { state.withLock { $0.firms[firm]?.templates[kind] ?? [] } }
    func tags(firm: String) -> [TagEntry] { state.withLock { $0.firms[firm]?.tags ?? [] } }
    /// The next `count` creations are refused as a service would refuse a bad template.
    func refuseCreates(_ count: Int) { state.withLock { $0.refuseCreates = count } }

    /// The caller's firm, and the token noted.
    private func firm() throws -> String {
        guard let scope = RequestScope.current, let firm = scope.caller?.firmID else { throw ExchangeError.denied("No caller.") }
        state.withLock { $0.tokens.append(scope.bearerToken ?? "") }
        return firm
    }

    func template(_ kind: TemplateKind, id: String) async throws -> PortableTemplate? {
        let firm = try firm()
        return state.withLock { $0.firms[firm]?.templates[kind]?.first { $0.id == id }?.template }
    }

    func templates(_ kind: TemplateKind) async throws -> [StoredTemplate] {
        let firm = try firm()
        return state.withLock { $0.firms[firm]?.templates[kind] ?? [] }
    }

    func create(_ template: PortableTemplate) async throws -> String {
        let firm = try firm()
        let refused = state.withLock { state in
            guard state.refuseCreates > 0 else { return false }
            state.refuseCreates -= 1
            return true
        }
        if refused { throw ExchangeError.refused("ChatService answered 400 making the template: unknown shortcode [NOPE].") }
        let taken = state.withLock { $0.firms[firm]?.templates[template.kind]?.contains { $0.template.name.lowercased() == template.name.lowercased() } ?? false }
        if taken { throw ExchangeError.refused("answered 409: the name is taken.") }
        return seed(template, firm: firm)
    }

    func tags() async throws -> [TagEntry] {
        let firm = try firm()
        return tags(firm: firm)
    }

    func createTag(named name: String) async throws -> TagEntry {
        let firm = try firm()
        let id = seedTag(name, firm: firm)
        return TagEntry(id: id, name: name)
    }

    func teamMemberIDs() async throws -> Set<String> {
        let firm = try firm()
        return state.withLock { $0.firms[firm]?.members ?? [] }
    }
}

/// Item templates as the items will keep them, in memory and per firm, through the hook.
final class FakeItemTemplates: ItemTemplateExchange {
    typealias Item = PipelineAPI.Components.Schemas.PortableItemTemplate
    private let state = Mutex([String: [String: Item]]())

    @discardableResult
    func seed(_ item: Item, firm: String) -> String {
        let id = Identifier.make("itpl")
        state.withLock { $0[firm, default: [:]][id] = item }
        return id
    }

    func stored(firm: String) -> [String: Item] { state.withLock { $0[firm] ?? [:] } }

    func export(kind: TemplateKind, id: String, firm: String, ref: String) async throws -> Item? {
        guard var item = state.withLock({ $0[firm]?[id] }), item.kind.rawValue == kind.rawValue else { return nil }
        item.ref = ref
        return item
    }

    func validate(_ template: Item, path: String) throws {
        guard template.content.value["lines"] != nil else { throw ExchangeError.invalid("\(path).content.lines is required.") }
    }

    func `import`(_ template: Item, firm: String, by caller: Caller) async throws -> ImportedItemTemplate? {
        if let (id, same) = state.withLock({ $0[firm]?.first { $0.value.kind == template.kind && $0.value.name.lowercased() == template.name.lowercased() } }) {
            var mine = template
            mine.ref = same.ref
            return ImportedItemTemplate(id: id, created: false, sameContent: mine == same)
        }
        return ImportedItemTemplate(id: seed(template, firm: firm), created: true, sameContent: true)
    }
}
