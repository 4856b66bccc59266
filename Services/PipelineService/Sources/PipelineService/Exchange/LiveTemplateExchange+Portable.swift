import ChatAPI
import DocAPI
import NotifyAPI
import PipelineAPI

/// The other services' templates in their portable form, and back.
extension LiveTemplateExchange {
    static func portable(_ t: ChatAPI.Components.Schemas.ChatTemplate) -> PipelineAPI.Components.Schemas.PortableChatTemplate {
        .init(ref: "", name: t.name, subject: t.subject, body: t.body, tasks: t.tasks.isEmpty ? nil : t.tasks.map { .init(text: $0.text) },
              reminders: t.reminders.map { .init(daysUntilNext: $0.daysUntilNext, count: $0.count) })
    }

    static func portable(_ t: NotifyAPI.Components.Schemas.EmailTemplate) -> PipelineAPI.Components.Schemas.PortableEmailTemplate {
        .init(ref: "", name: t.name, subject: t.subject, body: t.body)
    }

    static func portable(_ t: DocAPI.Components.Schemas.FolderTemplate) -> PipelineAPI.Components.Schemas.PortableFolderTemplate {
        .init(ref: "", name: t.name, folders: t.folders.map(folder))
    }

    static func folder(_ node: DocAPI.Components.Schemas.FolderTemplateNode) -> PipelineAPI.Components.Schemas.PortableFolder {
        .init(name: node.name, children: node.children.flatMap { $0.isEmpty ? nil : $0.map(folder) })
    }

    static func node(_ folder: PipelineAPI.Components.Schemas.PortableFolder) -> DocAPI.Components.Schemas.FolderTemplateNode {
        .init(name: folder.name, children: folder.children.map { $0.map(node) })
    }
}
