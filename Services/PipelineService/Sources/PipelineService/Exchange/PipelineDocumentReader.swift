import AtriumRuntime
import Foundation
import OpenAPIRuntime
import PipelineAPI

/// A document checked whole and ready to import: the pipeline's name and stages as the document
/// has them, and every template it holds by `ref`.
struct ImportPlan: Sendable {
    var name: String
    var stages: [Components.Schemas.PortableStage]
    var templates: [String: PortableTemplate]
}

/// Reads pipeline documents (`PipelineDocument` in the contract): the format and version first,
/// so that a newer version is refused as such, then the shape, then every field against the
/// limits of the services the templates go to and the rules of hand-made pipelines.
enum PipelineDocumentReader {
    static let format = "atrium.pipeline"
    /// The newest version this service reads and writes.
    static let version = 1
    static let maxTemplates = 200
    static let maxItemContentBytes = 64 * 1024

    /// The document `container` holds, with its format and version checked.
    static func decode(_ container: OpenAPIObjectContainer) throws -> Components.Schemas.PipelineDocument {
        let fields = container.value
        guard case let format?? = fields["format"], let format = format as? String else {
            throw ExchangeError.invalid("document.format is required: \"\(Self.format)\".")
        }
        guard format == Self.format else {
            throw ExchangeError.invalid("document.format is \(format.debugDescription); only \"\(Self.format)\" documents can be imported.")
        }
        guard case let version?? = fields["version"], let version = version as? Int else {
            throw ExchangeError.invalid("document.version is required: a whole number, \(Self.version) for this format.")
        }
        guard version <= Self.version else { throw ExchangeError.unsupportedVersion(version) }
        guard version >= 1 else { throw ExchangeError.invalid("document.version \(version) is not a version; they start at 1.") }
        do {
            return try JSONDecoder().decode(Components.Schemas.PipelineDocument.self, from: JSONEncoder().encode(container))
        } catch let error as DecodingError {
            throw ExchangeError.invalid(describe(error))
        }
    }

    /// The document checked whole: its templates, and the pipeline it makes with stand-in ids.
    static func check(_ document: Components.Schemas.PipelineDocument, items: any ItemTemplateExchange) throws -> ImportPlan {
        let plan = ImportPlan(name: try at("document.pipeline.name") { try StageRules.name(document.pipeline.name, field: "the name") },
                              stages: document.pipeline.stages, templates: try templates(document.templates, items: items))
        _ = try model(plan, ids: .standIns(plan), firm: "firm_check", createdBy: "check")
        return plan
    }

    /// Every template, checked, by ref: refs well-formed and unique, names unique per kind in any case.
    static func templates(_ templates: Components.Schemas.PortableTemplates, items: any ItemTemplateExchange) throws -> [String: PortableTemplate] {
        var all: [(String, PortableTemplate)] = []
        for (i, t) in (templates.chat ?? []).enumerated() { all.append(("document.templates.chat[\(i)]", .chat(t))) }
        for (i, t) in (templates.email ?? []).enumerated() { all.append(("document.templates.email[\(i)]", .email(t))) }
        for (i, t) in (templates.folder ?? []).enumerated() { all.append(("document.templates.folder[\(i)]", .folder(t))) }
        for (i, t) in (templates.items ?? []).enumerated() { all.append(("document.templates.items[\(i)]", .item(t))) }
        guard all.count <= maxTemplates else { throw ExchangeError.invalid("document.templates holds \(all.count) templates; at most \(maxTemplates).") }
        var byRef: [String: PortableTemplate] = [:]
        var names: Set<String> = []
        for (path, template) in all {
            try TemplateRules.check(template, path: path)
            if case .item(let item) = template { try items.validate(item, path: path) }
            guard byRef.updateValue(template, forKey: template.ref) == nil else {
                throw ExchangeError.invalid("\(path).ref \(template.ref.debugDescription) is another template's too; refs are unique in the document.")
            }
            guard names.insert("\(template.kind.rawValue)\n\(template.name.lowercased())").inserted else {
                throw ExchangeError.invalid("\(path).name \(template.name.debugDescription) is another \(template.kind.rawValue) template's too, in some case.")
            }
        }
        return byRef
    }

    /// Runs `body`, naming `path` in what it refuses.
    static func at<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch PipelineError.invalid(let why), PipelineError.conflict(let why) {
            throw ExchangeError.invalid("\(path): \(why)")
        }
    }

    /// A decoding error as the path in the document and what is wrong there, without echoing the document.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            (["document"] + context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }).joined()
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context)) must be \(type)."
        case .valueNotFound(_, let context): return "\(path(context)) must not be null."
        case .keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue) is required."
        case .dataCorrupted(let context): return "\(path(context)) is not valid: \(context.debugDescription)"
        @unknown default: return "The document is not a pipeline document."
        }
    }
}
