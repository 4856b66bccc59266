import AtriumRuntime
import PipelineAPI

/// What became of an item template on import.
struct ImportedItemTemplate: Sendable, Equatable {
    var id: String
    /// Made by this import, rather than the firm's same-named one reused.
    var created: Bool
    /// When reused: whether the firm's template says the same as the document's.
    var sameContent: Bool
}

/// The hook for the client items' and team tasks' templates (invoice, organizer, proposal,
/// task), which this service owns: export reads them into a document, import finds or makes
/// them in the importing firm (reusing one of the same kind and name, like the other templates).
/// `NoItemTemplateExchange`, the default until the items are built, exports and imports none:
/// export leaves their automations out with a note, import drops them with a warning.
protocol ItemTemplateExchange: Sendable {
    /// The firm's item template `id` of `kind`, portable under `ref`; nil when it cannot be exported.
    func export(kind: TemplateKind, id: String, firm: String, ref: String) async throws -> Components.Schemas.PortableItemTemplate?
    /// Refuses (with `ExchangeError.invalid`, naming `path`) content this kind's templates cannot hold;
    /// called for every item template before the import makes anything.
    func validate(_ template: Components.Schemas.PortableItemTemplate, path: String) throws
    /// The firm's template for `template`: one of the same kind and name (any case), or a new one;
    /// nil when this kind cannot be imported.
    func `import`(_ template: Components.Schemas.PortableItemTemplate, firm: String, by caller: Caller) async throws -> ImportedItemTemplate?
}

/// No item templates yet: exports none, imports none, accepts any content.
struct NoItemTemplateExchange: ItemTemplateExchange {
    func export(kind: TemplateKind, id: String, firm: String, ref: String) async throws -> Components.Schemas.PortableItemTemplate? { nil }
    func validate(_ template: Components.Schemas.PortableItemTemplate, path: String) throws {}
    func `import`(_ template: Components.Schemas.PortableItemTemplate, firm: String, by caller: Caller) async throws -> ImportedItemTemplate? { nil }
}
