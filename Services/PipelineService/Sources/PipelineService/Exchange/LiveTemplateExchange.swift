import AccountAPI
import AtriumRuntime
import ChatAPI
import DocAPI
import Foundation
import NotifyAPI
import OpenAPIRuntime
import PipelineAPI

/// `TemplateExchange` over HTTP: ChatService's chat templates, NotifyService's e-mail templates,
/// DocService's folder templates and AccountService's tags and team, each called with the
/// caller's own token (`ForwardedBearerMiddleware`), never the service's.
struct LiveTemplateExchange: TemplateExchange {
    let account: AccountAPI.Client
    let chat: ChatAPI.Client
    let doc: DocAPI.Client
    let notify: NotifyAPI.Client
    /// Most pages read of one list, so that a misbehaving service cannot keep the import reading.
    static let maxPages = 200

    init(clients: ServiceClients) throws {
        let asCaller: [any ClientMiddleware] = [ForwardedBearerMiddleware()]
        account = AccountAPI.Client(serverURL: try clients.url(of: .account), transport: clients.transport, middlewares: asCaller)
        chat = ChatAPI.Client(serverURL: try clients.url(of: .chat), transport: clients.transport, middlewares: asCaller)
        doc = DocAPI.Client(serverURL: try clients.url(of: .doc), transport: clients.transport, middlewares: asCaller)
        notify = NotifyAPI.Client(serverURL: try clients.url(of: .notify), transport: clients.transport, middlewares: asCaller)
    }

    func template(_ kind: TemplateKind, id: String) async throws -> PortableTemplate? {
        switch kind {
        case .chat:
            switch try await call("ChatService", { try await chat.getChatTemplate(path: .init(templateId: id)) }) {
            case .ok(let ok): return .chat(Self.portable(try ok.body.json))
            case .default(statusCode: 404, _): return nil
            case .default(let status, let response): throw Self.failure("ChatService", "reading chat template \(id)", status, try? response.body.applicationProblemJson.detail)
            }
        case .email:
            switch try await call("NotifyService", { try await notify.getEmailTemplate(path: .init(templateId: id)) }) {
            case .ok(let ok): return .email(Self.portable(try ok.body.json))
            case .default(statusCode: 404, _): return nil
            case .default(let status, let response): throw Self.failure("NotifyService", "reading e-mail template \(id)", status, try? response.body.applicationProblemJson.detail)
            }
        case .folder:
            switch try await call("DocService", { try await doc.getFolderTemplate(path: .init(templateId: id)) }) {
            case .ok(let ok): return .folder(Self.portable(try ok.body.json))
            case .default(statusCode: 404, _): return nil
            case .default(let status, let response): throw Self.failure("DocService", "reading folder template \(id)", status, try? response.body.applicationProblemJson.detail)
            }
        case .invoice, .organizer, .proposal, .task: return nil
        }
    }

    func templates(_ kind: TemplateKind) async throws -> [StoredTemplate] {
        var all: [StoredTemplate] = []
        var cursor: String?
        for _ in 0..<Self.maxPages {
            let (page, next) = try await page(kind, cursor: cursor)
            all += page
            guard let next else { return all }
            cursor = next
        }
        return all
    }

    private func page(_ kind: TemplateKind, cursor: String?) async throws -> ([StoredTemplate], String?) {
        switch kind {
        case .chat:
            switch try await call("ChatService", { try await chat.listChatTemplates(query: .init(cursor: cursor, limit: 100)) }) {
            case .ok(let ok):
                let page = try ok.body.json
                return (page.items.map { StoredTemplate(id: $0.id, template: .chat(Self.portable($0))) }, page.nextCursor)
            case .default(let status, let response): throw Self.failure("ChatService", "listing chat templates", status, try? response.body.applicationProblemJson.detail)
            }
        case .email:
            switch try await call("NotifyService", { try await notify.listEmailTemplates(query: .init(cursor: cursor, limit: 100)) }) {
            case .ok(let ok):
                let page = try ok.body.json
                return (page.items.map { StoredTemplate(id: $0.id, template: .email(Self.portable($0))) }, page.nextCursor)
            case .default(let status, let response): throw Self.failure("NotifyService", "listing e-mail templates", status, try? response.body.applicationProblemJson.detail)
            }
        case .folder:
            switch try await call("DocService", { try await doc.listFolderTemplates(query: .init(cursor: cursor, limit: 100)) }) {
            case .ok(let ok):
                let page = try ok.body.json
                return (page.items.map { StoredTemplate(id: $0.id, template: .folder(Self.portable($0))) }, page.nextCursor)
            case .default(let status, let response): throw Self.failure("DocService", "listing folder templates", status, try? response.body.applicationProblemJson.detail)
            }
        case .invoice, .organizer, .proposal, .task: return ([], nil)
        }
    }

    func create(_ template: PortableTemplate) async throws -> String {
        switch template {
        case .chat(let t):
            let input = ChatAPI.Components.Schemas.ChatTemplateInput(
                name: t.name, subject: t.subject, body: t.body, tasks: t.tasks?.map { .init(text: $0.text) },
                reminders: t.reminders.map { .init(daysUntilNext: $0.daysUntilNext, count: $0.count) })
            switch try await call("ChatService", { try await chat.createChatTemplate(body: .json(input)) }) {
            case .created(let created): return try created.body.json.id
            case .default(let status, let response): throw Self.failure("ChatService", "making chat template \(t.name.debugDescription)", status, try? response.body.applicationProblemJson.detail)
            }
        case .email(let t):
            switch try await call("NotifyService", { try await notify.createEmailTemplate(body: .json(.init(name: t.name, subject: t.subject, body: t.body))) }) {
            case .created(let created): return try created.body.json.id
            case .default(let status, let response): throw Self.failure("NotifyService", "making e-mail template \(t.name.debugDescription)", status, try? response.body.applicationProblemJson.detail)
            }
        case .folder(let t):
            let input = DocAPI.Components.Schemas.FolderTemplateInput(name: t.name, folders: t.folders.map(Self.node))
            switch try await call("DocService", { try await doc.createFolderTemplate(body: .json(input)) }) {
            case .created(let created): return try created.body.json.id
            case .default(let status, let response): throw Self.failure("DocService", "making folder template \(t.name.debugDescription)", status, try? response.body.applicationProblemJson.detail)
            }
        case .item(let t):
            throw ExchangeError.refused("Item template \(t.name.debugDescription) is not one of the other services'.")
        }
    }

    func tags() async throws -> [TagEntry] {
        switch try await call("AccountService", { try await account.listTags() }) {
        case .ok(let ok): return try ok.body.json.items.map { TagEntry(id: $0.id, name: $0.name) }
        case .default(let status, let response): throw Self.failure("AccountService", "listing tags", status, try? response.body.applicationProblemJson.detail)
        }
    }

    func createTag(named name: String) async throws -> TagEntry {
        switch try await call("AccountService", { try await account.createTag(body: .json(.init(name: name))) }) {
        case .created(let created):
            let tag = try created.body.json
            return TagEntry(id: tag.id, name: tag.name)
        case .default(let status, let response): throw Self.failure("AccountService", "making tag \(name.debugDescription)", status, try? response.body.applicationProblemJson.detail)
        }
    }

    func teamMemberIDs() async throws -> Set<String> {
        switch try await call("AccountService", { try await account.listTeamMembers() }) {
        case .ok(let ok): return Set(try ok.body.json.items.map(\.id))
        case .default(let status, let response): throw Self.failure("AccountService", "listing the team", status, try? response.body.applicationProblemJson.detail)
        }
    }

    private func call<Output>(_ service: String, _ body: () async throws -> Output) async throws -> Output {
        do {
            return try await body()
        } catch let error as ExchangeError {
            throw error
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw ExchangeError.unavailable("\(service) cannot be reached.")
        }
    }

    /// 401 and 403: the caller may not; another 4xx but 408 and 429: the request was refused; anything else: an outage.
    static func failure(_ service: String, _ doing: String, _ status: Int, _ detail: String?) -> ExchangeError {
        let why = "\(service) answered \(status) \(doing)\(detail.map { ": " + $0 } ?? "")"
        switch status {
        case 401, 403: return .denied(why)
        case 408, 429: return .unavailable(why)
        case 400..<500: return .refused(why)
        default: return .unavailable(why)
        }
    }
}
